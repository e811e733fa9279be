-- Bulk imports: consent people gave before the service existed, brought in from the system
-- that took it, with its original time and channel and the reason import.
--
-- Some of those systems never kept the text people agreed to. Such an opt-in is imported only
-- when the importer says so, and its evidence then says the disclosure is missing, so it can
-- never pass for one that answered a text.

-- +goose Up
ALTER TABLE consent_events DROP CONSTRAINT consent_events_reason_check,
    ADD CONSTRAINT consent_events_reason_check
        CHECK (reason IN ('keypress', 'keyword', 'natural_language', 'button', 'provider_opt_out', 'api', 'import'));
ALTER TABLE consent_events DROP CONSTRAINT consent_events_check,
    ADD CONSTRAINT consent_events_opt_in_disclosure_check
        CHECK (action <> 'opt_in' OR disclosure_id IS NOT NULL
               OR (reason = 'import' AND evidence @> '{"import": {"disclosure_missing": true}}'));

-- +goose Down
ALTER TABLE consent_events DROP CONSTRAINT consent_events_opt_in_disclosure_check,
    ADD CONSTRAINT consent_events_check CHECK (action <> 'opt_in' OR disclosure_id IS NOT NULL);
ALTER TABLE consent_events DROP CONSTRAINT consent_events_reason_check,
    ADD CONSTRAINT consent_events_reason_check
        CHECK (reason IN ('keypress', 'keyword', 'natural_language', 'button', 'provider_opt_out', 'api'));
