-- The ledger's category and disclosure references are checked where events are made, once
-- per batch, instead of by a foreign-key trigger on every appended row: the write unit reads
-- the business's category keys with the state it decides on and refuses an event of another
-- category (consent.ErrUnknownCategory), an import checks its rows against them the same way,
-- and every disclosure id an event carries comes from the same statement that stores the
-- disclosure. The triggers were a third of an import's append.

-- +goose Up
ALTER TABLE consent_events DROP CONSTRAINT consent_events_business_id_category_fkey;
ALTER TABLE consent_events DROP CONSTRAINT consent_events_business_id_disclosure_id_fkey;

-- +goose Down
ALTER TABLE consent_events ADD CONSTRAINT consent_events_business_id_disclosure_id_fkey
    FOREIGN KEY (business_id, disclosure_id) REFERENCES disclosures (business_id, id);
ALTER TABLE consent_events ADD CONSTRAINT consent_events_business_id_category_fkey
    FOREIGN KEY (business_id, category) REFERENCES categories (business_id, key);
