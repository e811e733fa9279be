-- Message conversation state: disclosures awaiting a YES, and inbound messages handled once.

-- +goose Up
-- The disclosure last sent to a phone over SMS or WhatsApp, which a YES before expires_at
-- accepts for the listed categories.
CREATE TABLE conversations (
    business_id   text NOT NULL REFERENCES businesses (id),
    phone         text NOT NULL,
    categories    text[] NOT NULL CHECK (cardinality(categories) > 0),
    disclosure_id bigint NOT NULL,
    channel       text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
    expires_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, phone),
    FOREIGN KEY (business_id, disclosure_id) REFERENCES disclosures (business_id, id)
);

-- One row per inbound message handled, claimed in the transaction that records its effects,
-- with the reply it got, so a redelivery is answered the same and records nothing.
CREATE TABLE inbound_messages (
    business_id  text NOT NULL REFERENCES businesses (id),
    provider_ref text NOT NULL CHECK (provider_ref <> ''),
    phone        text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
    reply        text NOT NULL DEFAULT '',
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, provider_ref)
);

-- +goose Down
DROP TABLE inbound_messages;
DROP TABLE conversations;
