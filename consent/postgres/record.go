package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent"
)

// Record appends events to the ledger and updates the current consent state, in one
// transaction. Each event's disclosure is stored once per content hash. An event whose
// idempotency key the business has already used records nothing: the stored event is returned
// in its place, also when concurrent callers race with the same key. The current state never
// moves back in time: an event that occurred before the one that set the state is kept in the
// ledger but does not change the state.
//
// Invalid events fail with consent.ErrInvalid and an unknown category with
// consent.ErrUnknownCategory; then nothing is recorded.
func (s *Store) Record(ctx context.Context, events []consent.Event) ([]consent.Event, error) {
	for _, e := range events {
		if err := validateEvent(e); err != nil {
			return nil, fmt.Errorf("recording events: %w", err)
		}
	}
	var out []consent.Event
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = record(ctx, tx, events)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recording events: %w", err)
	}
	return out, nil
}

// record appends validated events within tx and returns them as stored.
func record(ctx context.Context, tx *sqlx.Tx, events []consent.Event) ([]consent.Event, error) {
	events = slices.Clone(events)
	for i, e := range events {
		if e.Disclosure != nil {
			d, err := upsertDisclosure(ctx, tx, e.BusinessID, e.Channel, *e.Disclosure)
			if err != nil {
				return nil, err
			}
			events[i].Disclosure = &d
		}
	}
	if err := lockLedgers(ctx, tx, events); err != nil {
		return nil, err
	}
	out, fresh, err := appendEvents(ctx, tx, events)
	if err != nil {
		return nil, err
	}
	appended := make([]consent.Event, 0, len(out))
	for i, e := range out {
		if fresh[i] {
			appended = append(appended, e)
		}
	}
	if err := project(ctx, tx, appended); err != nil {
		return nil, err
	}
	return out, nil
}

// ledgerLockClass is the first key of the transaction-level advisory lock that serialises
// ledger appends per business. It is a two-key lock, so it never meets the migration lock.
const ledgerLockClass = 0x6f70 // "op"

// lockLedgerSQL waits until no other transaction appends to the business's ledger.
const lockLedgerSQL = `SELECT pg_advisory_xact_lock(CAST($1 AS int4), hashtext($2))`

// lockLedgers takes the ledger lock of every business the events belong to, in a fixed order
// so that two batches cannot deadlock. Held until commit, it makes event ids of one business
// increase in commit order: without it a transaction could take id 10, another take id 11 and
// commit first, and a client following /v1/events past 11 would never see 10 — perhaps an
// opt-out. The price is that appends of one business commit one at a time.
func lockLedgers(ctx context.Context, tx *sqlx.Tx, events []consent.Event) error {
	ids := make([]string, 0, 1)
	for _, e := range events {
		ids = append(ids, e.BusinessID)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if _, err := tx.ExecContext(ctx, lockLedgerSQL, ledgerLockClass, id); err != nil {
			return fmt.Errorf("locking the ledger of %s: %w", id, err)
		}
	}
	return nil
}

// upsertDisclosureSQL returns the id of a stored disclosure with the same content address,
// inserting it first when there is none: one round trip in the usual case, where the text was
// stored when it was first spoken or sent.
const upsertDisclosureSQL = `
WITH found AS (
	SELECT id FROM disclosures WHERE business_id = $1 AND channel = $2 AND language = $3 AND sha256 = $5
), inserted AS (
	INSERT INTO disclosures (business_id, channel, language, text, sha256)
	SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM found)
	ON CONFLICT (business_id, channel, language, sha256) DO NOTHING
	RETURNING id
)
SELECT id FROM found UNION ALL SELECT id FROM inserted`

// disclosureIDSQL finds a stored disclosure by its content address: after a concurrent
// transaction stored the same text between the look-up and the insert above.
const disclosureIDSQL = `
SELECT id FROM disclosures WHERE business_id = $1 AND channel = $2 AND language = $3 AND sha256 = $4`

// upsertDisclosure stores d for the business and returns it with its id and hash. A
// disclosure without a channel takes the channel of the event or conversation using it.
func upsertDisclosure(ctx context.Context, tx *sqlx.Tx, businessID string, ch consent.Channel, d consent.Disclosure) (consent.Disclosure, error) {
	if d.Channel != "" {
		ch = d.Channel
	}
	d = consent.NewDisclosure(businessID, ch, d.Language, d.Text)
	err := tx.GetContext(ctx, &d.ID, upsertDisclosureSQL, d.BusinessID, string(d.Channel), d.Language, d.Text, d.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.GetContext(ctx, &d.ID, disclosureIDSQL, d.BusinessID, string(d.Channel), d.Language, d.SHA256)
	}
	if err != nil {
		if pqCode(err) == pqerror.ForeignKeyViolation {
			return d, fmt.Errorf("storing disclosure: business %s: %w", businessID, consent.ErrNotFound)
		}
		return d, fmt.Errorf("storing disclosure: %w", err)
	}
	return d, nil
}

// eventByKeySQL reads the event recorded under an idempotency key.
const eventByKeySQL = selectEventsSQL + `
WHERE e.business_id = $1 AND e.idempotency_key = $2`

func eventByKey(ctx context.Context, tx *sqlx.Tx, businessID, key string) (consent.Event, error) {
	var row eventRow
	if err := tx.GetContext(ctx, &row, eventByKeySQL, businessID, key); err != nil {
		return consent.Event{}, fmt.Errorf("reading event recorded under key %q: %w", key, err)
	}
	return row.event()
}
