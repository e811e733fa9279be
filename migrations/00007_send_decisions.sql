-- What the send decision reads beyond consent: the WhatsApp template category of each
-- category, a business's switch for Meta's pause of marketing templates to +1 numbers, the
-- date from which a per-category business revokes globally (the FCC's dated revoke-all), and
-- an index that finds a person's last inbound message on a channel with one probe.

-- +goose Up
ALTER TABLE categories ADD COLUMN template_category text NOT NULL DEFAULT 'marketing'
    CHECK (template_category IN ('marketing', 'utility', 'authentication'));

ALTER TABLE businesses
    ADD COLUMN us_marketing_pause boolean NOT NULL DEFAULT true,
    ADD COLUMN revocation_global_from timestamptz,
    -- A business that revokes globally already does so from the start.
    ADD CONSTRAINT businesses_global_from_per_category CHECK (revocation_global_from IS NULL OR revocation = 'category');

-- The send decision asks for max(received_at) per (phone, channel) of up to 1000 people at once:
-- each is read from the end of this index, never from the heap of every message.
CREATE INDEX inbound_messages_latest ON inbound_messages (business_id, phone, channel, received_at);

-- +goose Down
DROP INDEX inbound_messages_latest;
ALTER TABLE businesses
    DROP CONSTRAINT businesses_global_from_per_category,
    DROP COLUMN revocation_global_from,
    DROP COLUMN us_marketing_pause;
ALTER TABLE categories DROP COLUMN template_category;
