-- Change webhooks: the endpoints a business registered and the deliveries made to them.
--
-- The ledger is the outbox. Event ids (and signal ids) of a business grow in commit order, so
-- each endpoint keeps a cursor per stream and the dispatcher takes the next id above it; a
-- delivery row is written when the event is taken, not when it is recorded, so recording an
-- event writes nothing more than it did before webhooks existed.

-- +goose Up
CREATE TABLE webhook_endpoints (
    business_id     text NOT NULL REFERENCES businesses (id),
    id              bigint GENERATED ALWAYS AS IDENTITY,
    url             text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2048),
    events          text[] NOT NULL
        CHECK (cardinality(events) > 0 AND events <@ ARRAY['consent.changed', 'signal.recorded']),
    -- AES-GCM nonce and ciphertext of the signing secret; the key is not in the database.
    secret_sealed   bytea NOT NULL,
    -- The last consent_events id and signals id taken for delivery to this endpoint.
    consent_cursor  bigint NOT NULL DEFAULT 0,
    signal_cursor   bigint NOT NULL DEFAULT 0,
    -- The dispatcher working this endpoint, until lease_until; one at a time.
    lease_token     text,
    lease_until     timestamptz,
    disabled_at     timestamptz,
    disabled_reason text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, id)
);
-- The dispatcher's poll walks the active endpoints.
CREATE INDEX webhook_endpoints_active ON webhook_endpoints (lease_until) WHERE disabled_at IS NULL;

CREATE TABLE webhook_deliveries (
    business_id       text NOT NULL,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    endpoint_id       bigint NOT NULL,
    stream            text NOT NULL CHECK (stream IN ('consent.changed', 'signal.recorded')),
    event_id          bigint NOT NULL,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_status_code  int,
    last_error        text NOT NULL DEFAULT '',
    next_attempt_at   timestamptz,
    event_recorded_at timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, endpoint_id) REFERENCES webhook_endpoints (business_id, id) ON DELETE CASCADE,
    UNIQUE (business_id, endpoint_id, stream, event_id),
    CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
    CHECK ((status = 'pending') = (finished_at IS NULL))
);
-- Head of line: an endpoint has at most one delivery under way per stream.
CREATE UNIQUE INDEX webhook_deliveries_one_pending ON webhook_deliveries (business_id, endpoint_id, stream)
    WHERE status = 'pending';
-- An endpoint's deliveries, newest first.
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (business_id, endpoint_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
