package postgres

// writeUnitSQL writes everything a batch decided in one statement, so the ledger lock is held
// for one round trip of writing: the disclosures not stored yet, the claims of its messages
// with their replies, its events in batch order (skipping keys used before), the consent they
// project to, and the pending disclosures it leaves. It returns the events it appended.
//
// The projection takes, of the appended events of each phone and category, the latest by
// (occurred_at, id), and moves the state only forward: an event that occurred before the one
// that set the state is kept in the ledger but does not change it. Disclosures are referenced
// by their 1-based position in the disclosure arrays, 0 for none.
const writeUnitSQL = `
WITH d_in AS (
	SELECT * FROM unnest(CAST($2 AS text[]), CAST($3 AS text[]), CAST($4 AS text[]), CAST($5 AS text[]))
		WITH ORDINALITY AS x(ch, lang, body, sha, n)
), d_found AS (
	SELECT i.n, d.id FROM d_in i
	JOIN disclosures d ON d.business_id = $1 AND d.channel = i.ch AND d.language = i.lang AND d.sha256 = i.sha
), d_new AS (
	INSERT INTO disclosures (business_id, channel, language, text, sha256)
	SELECT $1, i.ch, i.lang, i.body, i.sha FROM d_in i WHERE NOT EXISTS (SELECT 1 FROM d_found f WHERE f.n = i.n)
	ON CONFLICT (business_id, channel, language, sha256) DO NOTHING
	RETURNING id, channel, language, sha256
), d AS (
	SELECT n, id FROM d_found
	UNION ALL
	SELECT i.n, dn.id FROM d_new dn JOIN d_in i ON i.ch = dn.channel AND i.lang = dn.language AND i.sha = dn.sha256
), claimed AS (
	INSERT INTO inbound_messages (business_id, provider_ref, phone, channel, reply)
	SELECT $1, r, p, ch, rp
	FROM unnest(CAST($6 AS text[]), CAST($7 AS text[]), CAST($8 AS text[]), CAST($9 AS text[])) AS x(r, p, ch, rp)
	ON CONFLICT (business_id, provider_ref) DO NOTHING
	RETURNING 1
), appended AS (
	INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, provider_ref,
		disclosure_id, evidence, occurred_at, idempotency_key)
	SELECT $1, p, c, a, ch, r, i, pr, (SELECT d.id FROM d WHERE d.n = x.dn), CAST(ev AS jsonb), CAST(o AS timestamptz), k
	FROM unnest(CAST($10 AS text[]), CAST($11 AS text[]), CAST($12 AS text[]), CAST($13 AS text[]),
		CAST($14 AS text[]), CAST($15 AS text[]), CAST($16 AS text[]), CAST($17 AS text[]),
		CAST($18 AS text[]), CAST($19 AS text[]), CAST($20 AS int[]))
		WITH ORDINALITY AS x(p, c, a, ch, r, i, pr, ev, o, k, dn, n)
	ORDER BY n
	ON CONFLICT (business_id, idempotency_key) DO NOTHING
	RETURNING id, phone, category, action, channel, occurred_at, idempotency_key, disclosure_id
), projected AS (
	INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
	SELECT DISTINCT ON (phone, category) $1, phone, category,
		CASE action WHEN 'opt_in' THEN 'opted_in' ELSE 'opted_out' END, channel, occurred_at, id
	FROM appended
	ORDER BY phone, category, occurred_at DESC, id DESC
	ON CONFLICT (business_id, phone, category) DO UPDATE SET
		status = EXCLUDED.status, channel = EXCLUDED.channel, updated_at = EXCLUDED.updated_at, event_id = EXCLUDED.event_id
	WHERE (consents.updated_at, consents.event_id) < (EXCLUDED.updated_at, EXCLUDED.event_id)
	RETURNING 1
), cleared AS (
	DELETE FROM conversations WHERE business_id = $1 AND phone = ANY (CAST($21 AS text[]))
	RETURNING 1
), saved AS (
	INSERT INTO conversations (business_id, phone, categories, disclosure_id, channel, expires_at)
	SELECT $1, p, string_to_array(c, ','), (SELECT d.id FROM d WHERE d.n = x.dn), ch, CAST(e AS timestamptz)
	FROM unnest(CAST($22 AS text[]), CAST($23 AS text[]), CAST($24 AS int[]), CAST($25 AS text[]), CAST($26 AS text[]))
		AS x(p, c, dn, ch, e)
	ON CONFLICT (business_id, phone) DO UPDATE SET
		categories = EXCLUDED.categories, disclosure_id = EXCLUDED.disclosure_id, channel = EXCLUDED.channel,
		expires_at = EXCLUDED.expires_at, updated_at = now()
	RETURNING 1
)
SELECT id, idempotency_key, occurred_at, disclosure_id FROM appended`
