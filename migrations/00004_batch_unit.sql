-- The write path's unit: a batch of one business's writes is read without a lock, decided,
-- then written by one call that takes the business's ledger lock, checks that nobody's state
-- changed since the read, and writes everything: two round trips a batch, the lock held for
-- one statement.

-- +goose Up
-- Every change of a pending disclosure takes a new version, so a batch can tell that the
-- pending disclosure it decided on is still the current one.
CREATE SEQUENCE conversations_version;
ALTER TABLE conversations ADD COLUMN version bigint NOT NULL DEFAULT nextval('conversations_version');

-- Each process that writes a business keeps one row here, renumbered by every batch it
-- writes. A batch whose read saw the same numbers of every other writer that its write finds
-- under the lock knows nobody else wrote since, and skips the per-person checks.
CREATE SEQUENCE unit_write_seq;
CREATE TABLE unit_writers (
    business_id text NOT NULL REFERENCES businesses (id),
    writer      text NOT NULL,
    seq         bigint NOT NULL,
    written_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, writer)
);

-- consents is a projection written only in the statement that appends the event it points
-- at, so its foreign keys checked nothing the ledger's own do not, at two lookups per row.
ALTER TABLE consents DROP CONSTRAINT consents_business_id_category_fkey;
ALTER TABLE consents DROP CONSTRAINT consents_business_id_event_id_fkey;

-- optin_write_unit writes one batch. It first takes the business's ledger lock (held until
-- the statement's transaction commits, so event ids follow commit order), then finds the
-- writes that were decided on a state that is no longer current: their person's latest
-- consent event or pending disclosure version changed, their message was claimed meanwhile,
-- or one of their events' keys was recorded before while a later write about the person was
-- decided as if it were not. Those writes are returned as stale (kind 's', with the keys
-- found recorded as kind 'k') and nothing of them is written; everything else of the batch is
-- written and its appended events returned (kind 'e'). It is a volatile PL/pgSQL function so
-- that each query takes a snapshot after the lock is granted.
--
-- p_writer names this process and p_others_seq is the highest seq of every other writer of
-- the business when the batch read its state: when it is unchanged, nobody else wrote since,
-- and only replayed keys need checking (this process never has one person in two batches).
-- Arrays: p_w_* one entry per write (index, phone, consent version, pending version);
-- p_d_* the batch's distinct disclosures, referenced by 1-based position (0: none);
-- p_c_* message claims; p_e_* events in batch order; p_p_* pending disclosures to save;
-- p_clear phones whose pending disclosure is cleared. Every row names the write it belongs to.
-- +goose StatementBegin
CREATE FUNCTION optin_write_unit(p_lock_class int4, p_business text, p_writer text, p_others_seq bigint,
    p_w_index int[], p_w_phone text[], p_w_consent_version bigint[], p_w_pending_version bigint[],
    p_guarded_keys text[], p_guarded_writes int[],
    p_d_channel text[], p_d_language text[], p_d_text text[], p_d_sha256 text[],
    p_c_write int[], p_c_ref text[], p_c_phone text[], p_c_channel text[], p_c_reply text[],
    p_e_write int[], p_e_phone text[], p_e_category text[], p_e_action text[], p_e_channel text[], p_e_reason text[],
    p_e_input text[], p_e_ref text[], p_e_evidence text[], p_e_occurred text[], p_e_key text[], p_e_disclosure int[],
    p_clear_write int[], p_clear_phone text[],
    p_p_write int[], p_p_phone text[], p_p_categories text[], p_p_disclosure int[], p_p_channel text[], p_p_expires text[])
RETURNS TABLE (kind text, write_index int, key text, id bigint, occurred_at timestamptz, disclosure_id bigint)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    stale int[];
    others_wrote boolean;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock_class, hashtext(p_business));
    others_wrote := COALESCE((SELECT max(u.seq) FROM unit_writers u WHERE u.business_id = p_business AND u.writer <> p_writer), 0)
        <> p_others_seq;

    RETURN QUERY
    SELECT 'k', g.w, g.k, CAST(NULL AS bigint), CAST(NULL AS timestamptz), CAST(NULL AS bigint)
    FROM unnest(p_guarded_keys, p_guarded_writes) AS g(k, w)
    WHERE EXISTS (SELECT 1 FROM consent_events e WHERE e.business_id = p_business AND e.idempotency_key = g.k);

    SELECT array_agg(DISTINCT s.w) INTO stale FROM (
        SELECT w.i AS w FROM unnest(p_w_index, p_w_phone, p_w_consent_version, p_w_pending_version) AS w(i, p, cv, pv)
        WHERE others_wrote AND w.p <> '' AND (
            COALESCE((SELECT max(c.event_id) FROM consents c WHERE c.business_id = p_business AND c.phone = w.p), 0) <> w.cv
            OR COALESCE((SELECT v.version FROM conversations v WHERE v.business_id = p_business AND v.phone = w.p), 0) <> w.pv)
        UNION ALL
        SELECT c.w FROM unnest(p_c_write, p_c_ref) AS c(w, r)
        WHERE others_wrote AND EXISTS (SELECT 1 FROM inbound_messages m WHERE m.business_id = p_business AND m.provider_ref = c.r)
        UNION ALL
        SELECT g.w FROM unnest(p_guarded_keys, p_guarded_writes) AS g(k, w)
        WHERE EXISTS (SELECT 1 FROM consent_events e WHERE e.business_id = p_business AND e.idempotency_key = g.k)
    ) s;
    -- A write about a person is stale when an earlier one about them is: it was decided on
    -- the state that one left.
    IF stale IS NOT NULL THEN
        SELECT array_agg(w.i) INTO stale FROM unnest(p_w_index, p_w_phone) AS w(i, p)
        WHERE w.i = ANY (stale)
           OR (w.p <> '' AND EXISTS (SELECT 1 FROM unnest(p_w_index, p_w_phone) AS x(i, p)
                                     WHERE x.i = ANY (stale) AND x.p = w.p AND x.i < w.i));
        RETURN QUERY SELECT 's', s.w, CAST(NULL AS text), CAST(NULL AS bigint), CAST(NULL AS timestamptz), CAST(NULL AS bigint)
        FROM unnest(stale) AS s(w);
    ELSE
        stale := '{}';
    END IF;

    INSERT INTO unit_writers (business_id, writer, seq) VALUES (p_business, p_writer, nextval('unit_write_seq'))
    ON CONFLICT ON CONSTRAINT unit_writers_pkey DO UPDATE SET seq = EXCLUDED.seq, written_at = now();

    RETURN QUERY
    WITH d_in AS (
        SELECT * FROM unnest(p_d_channel, p_d_language, p_d_text, p_d_sha256) WITH ORDINALITY AS x(ch, lang, body, sha, n)
    ), d_found AS (
        SELECT i.n, d.id FROM d_in i
        JOIN disclosures d ON d.business_id = p_business AND d.channel = i.ch AND d.language = i.lang AND d.sha256 = i.sha
    ), d_new AS (
        INSERT INTO disclosures (business_id, channel, language, text, sha256)
        SELECT p_business, i.ch, i.lang, i.body, i.sha FROM d_in i WHERE NOT EXISTS (SELECT 1 FROM d_found f WHERE f.n = i.n)
        ON CONFLICT ON CONSTRAINT disclosures_business_id_channel_language_sha256_key DO NOTHING
        RETURNING disclosures.id, disclosures.channel, disclosures.language, disclosures.sha256
    ), d AS (
        SELECT d_found.n, d_found.id FROM d_found
        UNION ALL
        SELECT i.n, dn.id FROM d_new dn JOIN d_in i ON i.ch = dn.channel AND i.lang = dn.language AND i.sha = dn.sha256
    ), claimed AS (
        INSERT INTO inbound_messages (business_id, provider_ref, phone, channel, reply)
        SELECT p_business, c.r, c.p, c.ch, c.rp
        FROM unnest(p_c_write, p_c_ref, p_c_phone, p_c_channel, p_c_reply) AS c(w, r, p, ch, rp)
        WHERE c.w <> ALL (stale)
        ON CONFLICT ON CONSTRAINT inbound_messages_pkey DO NOTHING
        RETURNING 1
    ), appended AS (
        INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, provider_ref,
            disclosure_id, evidence, occurred_at, idempotency_key)
        SELECT p_business, x.p, x.c, x.a, x.ch, x.r, x.i, x.pr, (SELECT d.id FROM d WHERE d.n = x.dn),
            CAST(x.ev AS jsonb), CAST(x.o AS timestamptz), x.k
        FROM unnest(p_e_write, p_e_phone, p_e_category, p_e_action, p_e_channel, p_e_reason, p_e_input, p_e_ref,
                    p_e_evidence, p_e_occurred, p_e_key, p_e_disclosure)
            WITH ORDINALITY AS x(w, p, c, a, ch, r, i, pr, ev, o, k, dn, n)
        WHERE x.w <> ALL (stale)
        ORDER BY x.n
        ON CONFLICT ON CONSTRAINT consent_events_business_id_idempotency_key_key DO NOTHING
        RETURNING consent_events.id, consent_events.phone, consent_events.category, consent_events.action,
            consent_events.channel, consent_events.occurred_at, consent_events.idempotency_key, consent_events.disclosure_id
    ), projected AS (
        INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
        SELECT DISTINCT ON (a.phone, a.category) p_business, a.phone, a.category,
            CASE a.action WHEN 'opt_in' THEN 'opted_in' ELSE 'opted_out' END, a.channel, a.occurred_at, a.id
        FROM appended a
        ORDER BY a.phone, a.category, a.occurred_at DESC, a.id DESC
        ON CONFLICT ON CONSTRAINT consents_pkey DO UPDATE SET
            status = EXCLUDED.status, channel = EXCLUDED.channel, updated_at = EXCLUDED.updated_at, event_id = EXCLUDED.event_id
        WHERE (consents.updated_at, consents.event_id) < (EXCLUDED.updated_at, EXCLUDED.event_id)
        RETURNING 1
    ), cleared AS (
        DELETE FROM conversations v
        USING unnest(p_clear_write, p_clear_phone) AS x(w, p)
        WHERE v.business_id = p_business AND v.phone = x.p AND x.w <> ALL (stale)
        RETURNING 1
    ), saved AS (
        INSERT INTO conversations (business_id, phone, categories, disclosure_id, channel, expires_at)
        SELECT p_business, x.p, string_to_array(x.c, ','), (SELECT d.id FROM d WHERE d.n = x.dn), x.ch, CAST(x.e AS timestamptz)
        FROM unnest(p_p_write, p_p_phone, p_p_categories, p_p_disclosure, p_p_channel, p_p_expires) AS x(w, p, c, dn, ch, e)
        WHERE x.w <> ALL (stale)
        ON CONFLICT ON CONSTRAINT conversations_pkey DO UPDATE SET
            categories = EXCLUDED.categories, disclosure_id = EXCLUDED.disclosure_id, channel = EXCLUDED.channel,
            expires_at = EXCLUDED.expires_at, updated_at = now(), version = nextval('conversations_version')
        RETURNING 1
    )
    SELECT 'e', CAST(NULL AS int), a.idempotency_key, a.id, a.occurred_at, a.disclosure_id FROM appended a;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION optin_write_unit;
DROP TABLE unit_writers;
DROP SEQUENCE unit_write_seq;
ALTER TABLE consents ADD FOREIGN KEY (business_id, event_id) REFERENCES consent_events (business_id, id);
ALTER TABLE consents ADD FOREIGN KEY (business_id, category) REFERENCES categories (business_id, key);
ALTER TABLE conversations DROP COLUMN version;
DROP SEQUENCE conversations_version;
