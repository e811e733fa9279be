package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent"
)

// appendEventsSQL appends a batch of events in batch order, skipping those whose idempotency
// key the business already used, and returns the ones it appended. One statement for the
// whole batch keeps the time the ledger lock is held short.
const appendEventsSQL = `
INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, provider_ref,
	disclosure_id, evidence, occurred_at, idempotency_key)
SELECT b, p, c, a, ch, r, i, pr, d, CAST(ev AS jsonb), CAST(o AS timestamptz), k
FROM unnest(CAST($1 AS text[]), CAST($2 AS text[]), CAST($3 AS text[]), CAST($4 AS text[]),
	CAST($5 AS text[]), CAST($6 AS text[]), CAST($7 AS text[]), CAST($8 AS text[]),
	CAST($9 AS bigint[]), CAST($10 AS text[]), CAST($11 AS text[]), CAST($12 AS text[]))
	WITH ORDINALITY AS x(b, p, c, a, ch, r, i, pr, d, ev, o, k, n)
ORDER BY n
ON CONFLICT (business_id, idempotency_key) DO NOTHING
RETURNING id, idempotency_key, occurred_at`

// eventColumns are the events of a batch as one array per column.
type eventColumns struct {
	business, phone, category, action, channel, reason, input, ref, evidence, occurred, key []string
	disclosure                                                                              []sql.NullInt64
}

func columnsOf(events []consent.Event) (eventColumns, error) {
	var c eventColumns
	for _, e := range events {
		evidence := []byte("{}")
		if len(e.Evidence) > 0 {
			var err error
			if evidence, err = json.Marshal(e.Evidence); err != nil {
				return c, fmt.Errorf("encoding evidence of event %q: %w", e.IdempotencyKey, err)
			}
		}
		var d sql.NullInt64
		if e.Disclosure != nil {
			d = sql.NullInt64{Int64: e.Disclosure.ID, Valid: true}
		}
		c.business, c.phone, c.category = append(c.business, e.BusinessID), append(c.phone, e.Phone), append(c.category, e.Category)
		c.action, c.channel, c.reason = append(c.action, string(e.Action)), append(c.channel, string(e.Channel)), append(c.reason, string(e.Reason))
		c.input, c.ref, c.evidence = append(c.input, e.Input), append(c.ref, e.ProviderRef), append(c.evidence, string(evidence))
		c.occurred, c.key = append(c.occurred, e.OccurredAt.UTC().Format(time.RFC3339Nano)), append(c.key, e.IdempotencyKey)
		c.disclosure = append(c.disclosure, d)
	}
	return c, nil
}

// timeFormat is how times travel to PostgreSQL inside text arrays.
const timeFormat = time.RFC3339Nano

// storedEvent is an event of a batch as the ledger holds it, and whether the batch appended it.
type storedEvent struct {
	consent.Event
	fresh bool
}

// appendEvents appends the batch's events in batch order and returns each as stored. An
// event whose key was used before comes back as stored then; when a later write of the batch
// about the same person was decided as if it were new, the batch must run again knowing it
// (errReplayedKeys). Of several events of the batch with one key only the first is appended.
func (u *unit) appendEvents(ctx context.Context, tx *sqlx.Tx, recorded map[string]bool) ([]storedEvent, error) {
	if len(u.events) == 0 {
		return nil, nil
	}
	c, err := columnsOf(u.events)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID         int64     `db:"id"`
		Key        string    `db:"idempotency_key"`
		OccurredAt time.Time `db:"occurred_at"`
	}
	err = tx.SelectContext(ctx, &rows, appendEventsSQL, pq.Array(c.business), pq.Array(c.phone), pq.Array(c.category),
		pq.Array(c.action), pq.Array(c.channel), pq.Array(c.reason), pq.Array(c.input), pq.Array(c.ref),
		pq.Array(c.disclosure), pq.Array(c.evidence), pq.Array(c.occurred), pq.Array(c.key))
	if err != nil {
		return nil, appendError(u.events, err)
	}
	appended := make(map[string]int, len(rows))
	for i, r := range rows {
		appended[r.Key] = i
	}
	out := make([]storedEvent, len(u.events))
	first := map[string]int{}
	var before, replayed []string
	for j, e := range u.events {
		if k, dup := first[e.IdempotencyKey]; dup {
			out[j].Event = u.events[k] // filled in below once the first is known
			continue
		}
		first[e.IdempotencyKey] = j
		if i, ok := appended[e.IdempotencyKey]; ok {
			e.ID, e.OccurredAt = rows[i].ID, rows[i].OccurredAt.UTC()
			if len(e.Evidence) == 0 {
				e.Evidence = nil
			}
			out[j] = storedEvent{Event: e, fresh: true}
			continue
		}
		before = append(before, e.IdempotencyKey)
		if !recorded[e.IdempotencyKey] && u.decidedLaterAbout(u.owner[j], e.Phone) {
			replayed = append(replayed, e.IdempotencyKey)
		}
	}
	if len(replayed) > 0 {
		return nil, errReplayedKeys{keys: replayed}
	}
	if err := fillRecordedBefore(ctx, tx, u.businessID, before, out, first); err != nil {
		return nil, err
	}
	for j, e := range u.events {
		if k := first[e.IdempotencyKey]; k != j {
			out[j] = storedEvent{Event: out[k].Event}
		}
	}
	return out, nil
}

// decidedLaterAbout reports whether a write after write i is about phone.
func (u *unit) decidedLaterAbout(i int, phone string) bool {
	for _, w := range u.writes[i+1:] {
		if w.Phone == phone {
			return true
		}
	}
	return false
}

// eventsByKeySQL reads the events recorded under some idempotency keys.
const eventsByKeySQL = selectEventsSQL + `
WHERE e.business_id = $1 AND e.idempotency_key = ANY($2)`

// fillRecordedBefore sets, for each key recorded before this batch, the event stored then.
func fillRecordedBefore(ctx context.Context, tx *sqlx.Tx, businessID string, keys []string, out []storedEvent, first map[string]int) error {
	if len(keys) == 0 {
		return nil
	}
	var rows []eventRow
	if err := tx.SelectContext(ctx, &rows, eventsByKeySQL, businessID, pq.Array(keys)); err != nil {
		return fmt.Errorf("reading %d events recorded before: %w", len(keys), err)
	}
	for _, r := range rows {
		e, err := r.event()
		if err != nil {
			return err
		}
		out[first[e.IdempotencyKey]] = storedEvent{Event: e}
	}
	return nil
}

func appendError(events []consent.Event, err error) error {
	switch {
	case pqCode(err) == pqerror.ForeignKeyViolation && strings.Contains(pqConstraint(err), "category"):
		return fmt.Errorf("appending events: a category is not one of business %s: %w: %w", events[0].BusinessID, consent.ErrUnknownCategory, err)
	case pqCode(err) == pqerror.CheckViolation:
		return fmt.Errorf("appending events: %w: %w", consent.ErrInvalid, err)
	}
	return fmt.Errorf("appending events: %w", err)
}

// projectSQL sets the current state from a batch of events, each unless the state comes
// from an event that occurred later (or at the same instant and was recorded later).
const projectSQL = `
INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
SELECT b, p, c, s, ch, CAST(u AS timestamptz), e
FROM unnest(CAST($1 AS text[]), CAST($2 AS text[]), CAST($3 AS text[]), CAST($4 AS text[]),
	CAST($5 AS text[]), CAST($6 AS text[]), CAST($7 AS bigint[])) AS x(b, p, c, s, ch, u, e)
ON CONFLICT (business_id, phone, category) DO UPDATE SET
	status = EXCLUDED.status, channel = EXCLUDED.channel, updated_at = EXCLUDED.updated_at, event_id = EXCLUDED.event_id
WHERE (consents.updated_at, consents.event_id) < (EXCLUDED.updated_at, EXCLUDED.event_id)`

// project moves the current state forward for freshly appended events. Of several events
// for one phone and category only the latest reaches the statement, which may touch each
// row once.
func project(ctx context.Context, tx *sqlx.Tx, events []consent.Event) error {
	type slot struct{ business, phone, category string }
	latest := map[slot]consent.Event{}
	order := []slot{}
	for _, e := range events {
		k := slot{e.BusinessID, e.Phone, e.Category}
		prev, seen := latest[k]
		if !seen {
			order = append(order, k)
		}
		if !seen || prev.OccurredAt.Before(e.OccurredAt) || (prev.OccurredAt.Equal(e.OccurredAt) && prev.ID < e.ID) {
			latest[k] = e
		}
	}
	if len(order) == 0 {
		return nil
	}
	var b, p, c, s, ch, u []string
	var ids []int64
	for _, k := range order {
		e := latest[k]
		b, p, c, s, ch = append(b, e.BusinessID), append(p, e.Phone), append(c, e.Category), append(s, string(e.Action.Status())), append(ch, string(e.Channel))
		u, ids = append(u, e.OccurredAt.Format(time.RFC3339Nano)), append(ids, e.ID)
	}
	_, err := tx.ExecContext(ctx, projectSQL, pq.Array(b), pq.Array(p), pq.Array(c), pq.Array(s), pq.Array(ch), pq.Array(u), pq.Array(ids))
	if err != nil {
		return fmt.Errorf("updating consent of %d events: %w", len(order), err)
	}
	return nil
}
