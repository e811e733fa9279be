-- Platform signals: what WhatsApp and the carriers say about delivering to a person, kept apart
-- from consent. A signal never changes consent; the send decision reads both.

-- +goose Up
CREATE TABLE signals (
    business_id  text NOT NULL REFERENCES businesses (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    phone        text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{3,14}$'),
    kind         text NOT NULL CHECK (kind IN ('platform_stop', 'delivery_limited', 'undeliverable')),
    channel      text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
    sender       text NOT NULL DEFAULT '',
    error_code   text NOT NULL,
    provider_ref text NOT NULL CHECK (provider_ref <> ''),
    evidence     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(evidence) = 'object'),
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, id),
    -- Twilio calls back several times per message; each message gives one signal.
    UNIQUE (business_id, provider_ref)
);
-- The send decision asks which kinds of signal a person has.
CREATE INDEX signals_person ON signals (business_id, phone, kind, channel);

-- +goose Down
DROP TABLE signals;
