package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// importWriterSuffix names a store's imports among the writers of a business (see
// optin_write_unit): an import changes people's state outside the store's own batches, so
// a batch that read before it must find that another writer wrote.
const importWriterSuffix = "/import"

// importRowsSQL is the unit's staging table, filled by COPY before the ledger lock is taken
// and dropped at commit.
const importRowsSQL = `
CREATE TEMPORARY TABLE import_rows (
	n int, phone text, category text, action text, channel text, evidence jsonb,
	occurred_at timestamptz, key text, disclosure int
) ON COMMIT DROP`

// ImportEvents appends imported events of one business to the ledger and moves the current
// state for each that is newer than it, in one transaction: the rows are copied into a
// staging table, then, under the business's ledger lock (the one the write path takes, so
// an import never interleaves with a live write about the same person and event ids grow in
// commit order), one statement appends them in the order given and projects them. An event
// whose key the business has used before records nothing; it returns how many were recorded.
// The state only ever moves to the latest event by (occurred_at, id), so an imported event
// older than the state is kept in the ledger and changes nothing.
//
// Events the ledger must not hold fail the call with consent.ErrInvalid; then nothing of
// them is recorded. An opt-in without a disclosure is accepted only with the reason import
// and evidence {"import":{"disclosure_missing":true}}.
func (s *Store) ImportEvents(ctx context.Context, businessID string, events []consent.Event) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	var keys []string
	if err := s.db.SelectContext(ctx, &keys, `SELECT key FROM categories WHERE business_id = $1`, businessID); err != nil {
		return 0, fmt.Errorf("importing events: reading the categories: %w", err)
	}
	categories := make(map[string]bool, len(keys))
	for _, k := range keys {
		categories[k] = true
	}
	var d disclosureColumns
	rows := make([][]any, len(events))
	for i := range events {
		if !categories[events[i].Category] {
			return 0, fmt.Errorf("importing events: event %q: %q is not a category of business %s: %w: %w",
				events[i].IdempotencyKey, events[i].Category, businessID, consent.ErrInvalid, consent.ErrUnknownCategory)
		}
		row, err := importRow(businessID, &events[i], i, &d)
		if err != nil {
			return 0, fmt.Errorf("importing events: %w", err)
		}
		rows[i] = row
	}
	var recorded int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		recorded, err = s.importUnit(ctx, tx, businessID, rows, &d)
		return err
	})
	if err != nil {
		if causedByData(err) {
			return 0, fmt.Errorf("importing events: %w: %w", consent.ErrInvalid, err)
		}
		return 0, fmt.Errorf("importing events: %w", err)
	}
	return recorded, nil
}

// importRow checks one event and lays it out as a row of import_rows, adding its disclosure
// to the unit's distinct ones.
func importRow(businessID string, e *consent.Event, n int, d *disclosureColumns) ([]any, error) {
	if e.BusinessID != businessID {
		return nil, fmt.Errorf("event %q is for business %q, the import for %q: %w", e.IdempotencyKey, e.BusinessID, businessID, consent.ErrInvalid)
	}
	checked := *e
	if checked.Action == consent.ActionOptIn && checked.Disclosure == nil && disclosureMissing(checked) {
		checked.Action = consent.ActionOptOut // validateEvent's one rule such an opt-in is exempt from
	}
	if err := validateEvent(checked); err != nil {
		return nil, err
	}
	evidence, err := json.Marshal(e.Evidence)
	if err != nil {
		return nil, fmt.Errorf("encoding evidence of event %q: %w", e.IdempotencyKey, err)
	}
	if e.Evidence == nil {
		evidence = []byte("{}")
	}
	var disclosure any
	if e.Disclosure != nil {
		*e.Disclosure = addressed(businessID, e.Channel, *e.Disclosure)
		disclosure = d.index(*e.Disclosure)
	}
	return []any{n, e.Phone, e.Category, string(e.Action), string(e.Channel), string(evidence),
		e.OccurredAt.UTC(), e.IdempotencyKey, disclosure}, nil
}

// disclosureMissing reports whether an imported event's evidence says it has no disclosure.
func disclosureMissing(e consent.Event) bool {
	if e.Reason != consent.ReasonImport {
		return false
	}
	imp, _ := e.Evidence["import"].(map[string]any)
	missing, _ := imp["disclosure_missing"].(bool)
	return missing
}

// importUnit writes one unit of an import in tx.
func (s *Store) importUnit(ctx context.Context, tx *sqlx.Tx, businessID string, rows [][]any, d *disclosureColumns) (int, error) {
	if _, err := tx.ExecContext(ctx, importRowsSQL); err != nil {
		return 0, fmt.Errorf("creating the staging table: %w", err)
	}
	if err := copyImportRows(ctx, tx, rows); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, ledgerLockClass, businessID); err != nil {
		return 0, fmt.Errorf("taking the ledger lock: %w", err)
	}
	ids, err := storeDisclosures(ctx, tx, businessID, d)
	if err != nil {
		return 0, err
	}
	var recorded int
	if err := tx.GetContext(ctx, &recorded, importAppendSQL, businessID, pq.Array(ids)); err != nil {
		return 0, writeError(businessID, err)
	}
	if _, err := tx.ExecContext(ctx, importWriterSQL, businessID, s.writer+importWriterSuffix); err != nil {
		return 0, fmt.Errorf("numbering the import among the writers: %w", err)
	}
	return recorded, nil
}

// copyImportRowsSQL fills import_rows; lib/pq streams the rows of each Exec as COPY data.
const copyImportRowsSQL = `COPY import_rows (n, phone, category, action, channel, evidence, occurred_at, key, disclosure) FROM STDIN`

// copyImportRows fills import_rows with COPY, far cheaper per row than any INSERT.
func copyImportRows(ctx context.Context, tx *sqlx.Tx, rows [][]any) error {
	stmt, err := tx.PrepareContext(ctx, copyImportRowsSQL)
	if err != nil {
		return fmt.Errorf("starting COPY: %w", err)
	}
	defer stmt.Close()
	for _, row := range rows {
		if _, err := stmt.ExecContext(ctx, row...); err != nil {
			return fmt.Errorf("copying rows: %w", err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copying rows: %w", err)
	}
	return nil
}

// importDisclosuresSQL stores the unit's distinct disclosures, content-addressed, and returns
// the id of each by its 1-based position.
const importDisclosuresSQL = `
WITH d_in AS (
	SELECT * FROM unnest(CAST($2 AS text[]), CAST($3 AS text[]), CAST($4 AS text[]), CAST($5 AS text[]))
		WITH ORDINALITY AS x(ch, lang, body, sha, n)
), d_new AS (
	INSERT INTO disclosures (business_id, channel, language, text, sha256)
	SELECT $1, i.ch, i.lang, i.body, i.sha FROM d_in i
	ON CONFLICT ON CONSTRAINT disclosures_business_id_channel_language_sha256_key DO NOTHING
	RETURNING id, channel, language, sha256
)
SELECT COALESCE(dn.id, d.id) FROM d_in i
LEFT JOIN d_new dn ON dn.channel = i.ch AND dn.language = i.lang AND dn.sha256 = i.sha
LEFT JOIN disclosures d ON d.business_id = $1 AND d.channel = i.ch AND d.language = i.lang AND d.sha256 = i.sha
ORDER BY i.n`

// storeDisclosures stores the unit's disclosures and returns their ids in position order.
func storeDisclosures(ctx context.Context, tx *sqlx.Tx, businessID string, d *disclosureColumns) ([]int64, error) {
	if len(d.text) == 0 {
		return nil, nil
	}
	var ids []int64
	err := tx.SelectContext(ctx, &ids, importDisclosuresSQL, businessID,
		pq.Array(d.channel), pq.Array(d.language), pq.Array(d.text), pq.Array(d.sha256))
	if err != nil {
		return nil, fmt.Errorf("storing %d disclosures: %w", len(d.text), err)
	}
	return ids, nil
}

// importAppendSQL appends the staged rows in their order, a key used before recording
// nothing, and moves each person's state to their newest appended event where that is newer
// by (occurred_at, id) than the state: the projection rule of optin_write_unit. It returns
// how many events it appended.
const importAppendSQL = `
WITH appended AS (
	INSERT INTO consent_events (business_id, phone, category, action, channel, reason, disclosure_id,
		evidence, occurred_at, idempotency_key)
	SELECT $1, r.phone, r.category, r.action, r.channel, 'import', m.id, r.evidence, r.occurred_at, r.key
	FROM import_rows r
	LEFT JOIN unnest(CAST($2 AS bigint[])) WITH ORDINALITY AS m(id, n) ON m.n = r.disclosure
	ORDER BY r.n
	ON CONFLICT ON CONSTRAINT consent_events_business_id_idempotency_key_key DO NOTHING
	RETURNING id, phone, category, action, channel, occurred_at
), projected AS (
	INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
	SELECT DISTINCT ON (a.phone, a.category) $1, a.phone, a.category,
		CASE a.action WHEN 'opt_in' THEN 'opted_in' ELSE 'opted_out' END, a.channel, a.occurred_at, a.id
	FROM appended a
	ORDER BY a.phone, a.category, a.occurred_at DESC, a.id DESC
	ON CONFLICT ON CONSTRAINT consents_pkey DO UPDATE SET
		status = EXCLUDED.status, channel = EXCLUDED.channel, updated_at = EXCLUDED.updated_at, event_id = EXCLUDED.event_id
	WHERE (consents.updated_at, consents.event_id) < (EXCLUDED.updated_at, EXCLUDED.event_id)
	RETURNING 1
)
SELECT count(*) FROM appended`

// importWriterSQL renumbers the import among the business's writers, as every batch of the
// write path does, so batches that read before it check their people's state again.
const importWriterSQL = `
INSERT INTO unit_writers (business_id, writer, seq) VALUES ($1, $2, nextval('unit_write_seq'))
ON CONFLICT ON CONSTRAINT unit_writers_pkey DO UPDATE SET seq = EXCLUDED.seq, written_at = now()`
