-- The write path's unit: one batch of a business's writes takes the ledger lock and reads
-- the state of everyone in it in one round trip, then writes everything in one statement.

-- +goose Up
-- optin_unit_state takes the business's ledger lock (held until commit) and only then reads
-- the state the batch is decided on. It is a volatile PL/pgSQL function so that each of its
-- queries takes a fresh snapshot after the lock is granted: a single SQL statement would read
-- with the snapshot it started with, before the previous batch of the business committed.
-- kind 'm': a message handled before (ref, reply); 'c': a current consent; 'p': a pending
-- disclosure.
-- +goose StatementBegin
CREATE FUNCTION optin_unit_state(p_lock_class int4, p_business text, p_refs text[], p_phones text[], p_message_phones text[])
RETURNS TABLE (kind text, phone text, category text, status text, channel text, at timestamptz, event_id bigint,
               reply text, categories text[], disclosure_id bigint, disclosure_channel text, language text,
               body text, sha256 text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock_class, hashtext(p_business));
    IF cardinality(p_refs) > 0 THEN
        RETURN QUERY SELECT 'm', m.provider_ref, NULL, NULL, NULL, CAST(NULL AS timestamptz), CAST(NULL AS bigint),
            m.reply, CAST(NULL AS text[]), CAST(NULL AS bigint), NULL, NULL, NULL, NULL
        FROM inbound_messages m WHERE m.business_id = p_business AND m.provider_ref = ANY (p_refs);
    END IF;
    RETURN QUERY SELECT 'c', c.phone, c.category, c.status, c.channel, c.updated_at, c.event_id,
        NULL, CAST(NULL AS text[]), CAST(NULL AS bigint), NULL, NULL, NULL, NULL
    FROM consents c WHERE c.business_id = p_business AND c.phone = ANY (p_phones)
    ORDER BY c.phone, c.category;
    IF cardinality(p_message_phones) > 0 THEN
        RETURN QUERY SELECT 'p', v.phone, NULL, NULL, v.channel, v.expires_at, CAST(NULL AS bigint),
            NULL, v.categories, d.id, d.channel, d.language, d.text, d.sha256
        FROM conversations v
        JOIN disclosures d ON d.business_id = v.business_id AND d.id = v.disclosure_id
        WHERE v.business_id = p_business AND v.phone = ANY (p_message_phones);
    END IF;
END
$$;
-- +goose StatementEnd

-- consents is a projection written only in the statement that appends the event it points
-- at, so its foreign keys checked nothing the ledger's own do not, at two lookups per row.
ALTER TABLE consents DROP CONSTRAINT consents_business_id_category_fkey;
ALTER TABLE consents DROP CONSTRAINT consents_business_id_event_id_fkey;

-- +goose Down
ALTER TABLE consents ADD FOREIGN KEY (business_id, event_id) REFERENCES consent_events (business_id, id);
ALTER TABLE consents ADD FOREIGN KEY (business_id, category) REFERENCES categories (business_id, key);
DROP FUNCTION optin_unit_state(int4, text, text[], text[], text[]);
