package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent"
)

// timeFormat is how times travel to PostgreSQL inside text arrays.
const timeFormat = time.RFC3339Nano

// storedEvents returns the batch's events as the ledger holds them, from the events
// optin_write_unit appended; those of stale writes are left empty. An event whose key was
// used before comes back as stored then. Of several events of the batch with one key only
// the first was appended, and the others come back as it.
func (u *unit) storedEvents(ctx context.Context, appended map[string]unitRow, stale map[int]bool) ([]consent.Event, error) {
	out := make([]consent.Event, len(u.events))
	first := map[string]int{}
	var before []string
	for j, e := range u.events {
		if stale[u.owner[j]] {
			continue
		}
		if _, dup := first[e.IdempotencyKey]; dup {
			continue
		}
		first[e.IdempotencyKey] = j
		r, ok := appended[e.IdempotencyKey]
		if !ok {
			before = append(before, e.IdempotencyKey)
			continue
		}
		e.ID, e.OccurredAt = r.ID.Int64, r.OccurredAt.Time.UTC()
		if e.Disclosure != nil {
			d := *e.Disclosure
			d.ID = r.DisclosureID.Int64
			e.Disclosure = &d
		}
		if len(e.Evidence) == 0 {
			e.Evidence = nil
		}
		out[j] = e
	}
	if err := u.fillRecordedBefore(ctx, before, out, first); err != nil {
		return nil, err
	}
	for j, e := range u.events {
		if k, ok := first[e.IdempotencyKey]; ok && k != j && !stale[u.owner[j]] {
			out[j] = out[k]
		}
	}
	return out, nil
}

// eventsByKeySQL reads the events recorded under some idempotency keys.
const eventsByKeySQL = selectEventsSQL + `
WHERE e.business_id = $1 AND e.idempotency_key = ANY($2)`

// fillRecordedBefore sets, for each key recorded before this batch, the event stored then.
func (u *unit) fillRecordedBefore(ctx context.Context, keys []string, out []consent.Event, first map[string]int) error {
	if len(keys) == 0 {
		return nil
	}
	var rows []eventRow
	if err := u.prep.selectDB(ctx, &rows, eventsByKeySQL, u.businessID, pq.Array(keys)); err != nil {
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
