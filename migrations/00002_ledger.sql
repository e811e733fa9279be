-- The consent ledger: disclosures, the append-only events and the current state they project to.

-- +goose Up
-- Every text that asked for consent, content-addressed: the hash is checked against the text,
-- so the evidence cannot drift from what was said.
CREATE TABLE disclosures (
    business_id text NOT NULL REFERENCES businesses (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    channel     text NOT NULL CHECK (channel IN ('ivr', 'sms', 'whatsapp', 'api', 'web', 'paper')),
    language    text NOT NULL,
    text        text NOT NULL CHECK (text <> ''),
    sha256      text NOT NULL CHECK (sha256 = encode(sha256(convert_to(text, 'UTF8')), 'hex')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, id),
    UNIQUE (business_id, channel, language, sha256)
);

CREATE TABLE consent_events (
    business_id     text NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    phone           text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{3,14}$'),
    category        text NOT NULL,
    action          text NOT NULL CHECK (action IN ('opt_in', 'opt_out')),
    channel         text NOT NULL CHECK (channel IN ('ivr', 'sms', 'whatsapp', 'api', 'web', 'paper')),
    reason          text NOT NULL CHECK (reason IN ('keypress', 'keyword', 'natural_language', 'button', 'provider_opt_out', 'api')),
    input           text NOT NULL DEFAULT '',
    provider_ref    text NOT NULL DEFAULT '',
    disclosure_id   bigint,
    evidence        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(evidence) = 'object'),
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    PRIMARY KEY (business_id, id),
    UNIQUE (business_id, idempotency_key),
    FOREIGN KEY (business_id, category) REFERENCES categories (business_id, key),
    FOREIGN KEY (business_id, disclosure_id) REFERENCES disclosures (business_id, id),
    -- Consent is only ever given to a text the person was shown or told.
    CHECK (action <> 'opt_in' OR disclosure_id IS NOT NULL)
);
CREATE INDEX consent_events_phone ON consent_events (business_id, phone, id);

-- The ledger is append-only, even for someone with a SQL prompt.
-- +goose StatementBegin
CREATE FUNCTION consent_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER consent_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON consent_events
    FOR EACH ROW EXECUTE FUNCTION consent_events_append_only();
CREATE TRIGGER consent_events_no_truncate
    BEFORE TRUNCATE ON consent_events
    FOR EACH STATEMENT EXECUTE FUNCTION consent_events_append_only();

-- The current state per phone and category: the newest event by (occurred_at, id).
CREATE TABLE consents (
    business_id text NOT NULL,
    phone       text NOT NULL,
    category    text NOT NULL,
    status      text NOT NULL CHECK (status IN ('opted_in', 'opted_out')),
    channel     text NOT NULL CHECK (channel IN ('ivr', 'sms', 'whatsapp', 'api', 'web', 'paper')),
    updated_at  timestamptz NOT NULL,
    event_id    bigint NOT NULL,
    PRIMARY KEY (business_id, phone, category),
    FOREIGN KEY (business_id, category) REFERENCES categories (business_id, key),
    FOREIGN KEY (business_id, event_id) REFERENCES consent_events (business_id, id)
);
-- Lists filtered by status (and category), walked in (phone, category) order.
CREATE INDEX consents_status ON consents (business_id, status, phone, category);
-- Lists of what changed since a time, walked in (updated_at, phone, category) order.
CREATE INDEX consents_updated ON consents (business_id, updated_at, phone, category);

-- +goose Down
DROP TABLE consents;
DROP TABLE consent_events;
DROP FUNCTION consent_events_append_only();
DROP TABLE disclosures;
