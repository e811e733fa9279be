package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent"
)

// timeFormat is how times travel to PostgreSQL inside text arrays.
const timeFormat = time.RFC3339Nano

// storedEvents returns the batch's events as the ledger holds them, from the rows
// writeUnitSQL appended. An event whose key was used before comes back as stored then; when a
// later write of the batch about the same person was decided as if it were new, the batch
// must run again knowing it (errReplayedKeys). Of several events of the batch with one key
// only the first was appended, and the others come back as it.
func (u *unit) storedEvents(ctx context.Context, tx *sqlx.Tx, rows []appendedRow, recorded map[string]bool) ([]consent.Event, error) {
	appended := make(map[string]appendedRow, len(rows))
	for _, r := range rows {
		appended[r.Key] = r
	}
	out := make([]consent.Event, len(u.events))
	first := map[string]int{}
	var before, replayed []string
	for j, e := range u.events {
		if _, dup := first[e.IdempotencyKey]; dup {
			continue
		}
		first[e.IdempotencyKey] = j
		if r, ok := appended[e.IdempotencyKey]; ok {
			e.ID, e.OccurredAt = r.ID, r.OccurredAt.UTC()
			if e.Disclosure != nil {
				d := *e.Disclosure
				d.ID = r.DisclosureID.Int64
				e.Disclosure = &d
			}
			if len(e.Evidence) == 0 {
				e.Evidence = nil
			}
			out[j] = e
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
	if err := u.fillRecordedBefore(ctx, tx, before, out, first); err != nil {
		return nil, err
	}
	for j, e := range u.events {
		if k := first[e.IdempotencyKey]; k != j {
			out[j] = out[k]
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
func (u *unit) fillRecordedBefore(ctx context.Context, tx *sqlx.Tx, keys []string, out []consent.Event, first map[string]int) error {
	if len(keys) == 0 {
		return nil
	}
	var rows []eventRow
	if err := u.prep.selectIn(ctx, tx, &rows, eventsByKeySQL, u.businessID, pq.Array(keys)); err != nil {
		return fmt.Errorf("reading %d events recorded before: %w", len(keys), err)
	}
	for _, r := range rows {
		e, err := r.event()
		if err != nil {
			return err
		}
		out[first[e.IdempotencyKey]] = e
	}
	return nil
}

// writeError names what a failed batch write means for the caller; the database's error
// stays wrapped, so a batch can tell data it refused from a database that failed.
func writeError(businessID string, err error) error {
	switch code := pqCode(err); {
	case code == pqerror.ForeignKeyViolation && strings.Contains(pqConstraint(err), "category"):
		return fmt.Errorf("appending events: a category is not one of business %s: %w: %w", businessID, consent.ErrUnknownCategory, err)
	case code == pqerror.ForeignKeyViolation && strings.Contains(pqConstraint(err), "business"):
		return fmt.Errorf("writing for business %s: %w: %w", businessID, consent.ErrNotFound, err)
	case code == pqerror.CheckViolation:
		return fmt.Errorf("appending events: %w: %w", consent.ErrInvalid, err)
	}
	return fmt.Errorf("writing the batch: %w", err)
}
