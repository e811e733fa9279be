-- Businesses, their message categories, the numbers that reach them and their API keys.

-- +goose Up
CREATE TABLE businesses (
    id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name       text NOT NULL CHECK (name <> ''),
    help       text NOT NULL DEFAULT '',
    language   text NOT NULL,
    region     text NOT NULL DEFAULT '',
    revocation text NOT NULL CHECK (revocation IN ('category', 'global')),
    messages   jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A category removed from the business file is deactivated, never deleted, so the ledger
-- keeps pointing at it.
CREATE TABLE categories (
    business_id text NOT NULL REFERENCES businesses (id),
    key         text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
    label       text NOT NULL CHECK (label <> ''),
    keyword     text NOT NULL CHECK (keyword ~ '^[A-Z0-9]{2,20}$'),
    digit       int  NOT NULL CHECK (digit BETWEEN 1 AND 8),
    frequency   text NOT NULL CHECK (frequency <> ''),
    position    int  NOT NULL CHECK (position >= 0),
    active      boolean NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, key),
    -- Deferred, so one apply may swap two categories' keywords or digits.
    CONSTRAINT categories_active_keyword_unique EXCLUDE USING btree (business_id WITH =, keyword WITH =)
        WHERE (active) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT categories_active_digit_unique EXCLUDE USING btree (business_id WITH =, digit WITH =)
        WHERE (active) DEFERRABLE INITIALLY DEFERRED
);

-- One number reaches one business, whatever the channel. Looked up by number alone, so under
-- distribution by business this stays a reference table.
CREATE TABLE business_numbers (
    number      text PRIMARY KEY CHECK (number ~ '^(\+[1-9][0-9]{3,14}|[0-9]{3,8})$'),
    business_id text NOT NULL REFERENCES businesses (id)
);
CREATE INDEX business_numbers_business ON business_numbers (business_id);

-- Only the SHA-256 of a key is stored; a key is found by its hash.
CREATE TABLE api_keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id  text NOT NULL REFERENCES businesses (id),
    name         text NOT NULL DEFAULT '',
    prefix       text NOT NULL,
    sha256       text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_business ON api_keys (business_id, id);

-- +goose Down
DROP TABLE api_keys;
DROP TABLE business_numbers;
DROP TABLE categories;
DROP TABLE businesses;
