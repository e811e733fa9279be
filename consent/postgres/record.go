package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/optin/optin/consent"
)

// Commit decides and records one write about one person: it waits for the write's batch —
// the writes of the business gathered while the previous batch committed — and returns the
// write's own result once the batch committed. Inside the batch's transaction, under the
// business's ledger lock, the person's state is read, w.Decide runs on it, and its events,
// claim, pending disclosure and reply are written; so no other write about the person, on
// any replica, is decided between this write's read and its commit, and event ids of a
// business grow in commit order.
//
// A write whose outcome the ledger must not hold fails with consent.ErrInvalid, an unknown
// category with consent.ErrUnknownCategory; then nothing of it is recorded, and the other
// writes of its batch are unaffected.
func (s *Store) Commit(ctx context.Context, w consent.Write) (consent.Committed, error) {
	if w.BusinessID == "" || w.Decide == nil {
		return consent.Committed{}, fmt.Errorf("committing a write without business or decision: %w", consent.ErrInvalid)
	}
	c, err := s.commits.commit(ctx, w)
	if err != nil {
		return consent.Committed{}, fmt.Errorf("committing a write for %s: %w", w.BusinessID, err)
	}
	return c, nil
}

// Record appends events to the ledger and updates the current consent state, in one
// transaction, each with the time it carries. Each event's disclosure is stored once per
// content hash. An event whose idempotency key the business has already used records
// nothing: the stored event is returned in its place, also when concurrent callers race with
// the same key. The current state never moves back in time: an event that occurred before
// the one that set the state is kept in the ledger but does not change the state.
//
// Events of several businesses are recorded one business after another, each in its own
// transaction, and come back grouped by business.
//
// Invalid events fail with consent.ErrInvalid and an unknown category with
// consent.ErrUnknownCategory; then nothing is recorded.
func (s *Store) Record(ctx context.Context, events []consent.Event) ([]consent.Event, error) {
	if len(events) == 0 {
		return nil, nil
	}
	for _, e := range events {
		if err := validateEvent(e); err != nil {
			return nil, fmt.Errorf("recording events: %w", err)
		}
	}
	var out []consent.Event
	for _, business := range businessesOf(events) {
		var own []consent.Event
		for _, e := range events {
			if e.BusinessID == business {
				own = append(own, e)
			}
		}
		c, err := s.Commit(ctx, consent.Write{BusinessID: business, Decide: consent.Fixed(consent.Outcome{Events: own})})
		if err != nil {
			return nil, fmt.Errorf("recording events: %w", err)
		}
		out = append(out, c.Events...)
	}
	return out, nil
}

// businessesOf lists the businesses of events in the order they first appear.
func businessesOf(events []consent.Event) []string {
	var ids []string
	for _, e := range events {
		if !slices.Contains(ids, e.BusinessID) {
			ids = append(ids, e.BusinessID)
		}
	}
	return ids
}

// ledgerLockClass is the first key of the transaction-level advisory lock that serialises
// ledger appends per business (optin_write_unit takes it). It is a two-key lock, so it never
// meets the migration lock. Held until commit, it makes event ids of one business increase in
// commit order: without it a transaction could take id 10, another take id 11 and commit
// first, and a client following /v1/events past 11 would never see 10 — perhaps an opt-out.
const ledgerLockClass = 0x6f70 // "op"
