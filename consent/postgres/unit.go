package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent"
)

// errReplayedKeys asks for a batch to be run again: some of its events had been recorded
// before (a retried IVR step or API request), and a later write about the same person was
// decided as if they were new.
type errReplayedKeys struct{ keys []string }

func (e errReplayedKeys) Error() string {
	return fmt.Sprintf("%d events of the batch were recorded before", len(e.keys))
}

// commitBatch commits writes of one business, decided in arrival order, and returns each
// write's own result. A statement that fails because of one write's data fails only that
// write: the batch is split and its halves run again, in order, until the write is alone.
func (s *Store) commitBatch(ctx context.Context, writes []consent.Write) []writeResult {
	results := make([]writeResult, len(writes))
	s.commitPart(ctx, writes, results)
	return results
}

func (s *Store) commitPart(ctx context.Context, writes []consent.Write, results []writeResult) {
	recorded := map[string]bool{}
	for attempt := 1; ; attempt++ {
		out, err := s.tryUnit(ctx, writes, recorded)
		var replayed errReplayedKeys
		switch {
		case err == nil:
			copy(results, out)
			return
		case errors.As(err, &replayed) && attempt <= 3:
			for _, k := range replayed.keys {
				recorded[k] = true
			}
			continue
		case retryable(err) && attempt < 3:
			continue
		case len(writes) > 1 && causedByData(err):
			half := len(writes) / 2
			s.commitPart(ctx, writes[:half], results[:half])
			s.commitPart(ctx, writes[half:], results[half:])
			return
		}
		for i := range results {
			results[i] = writeResult{err: err}
		}
		return
	}
}

// retryable reports an error after which nothing of the transaction was written and the
// same transaction may simply run again.
func retryable(err error) bool {
	code := pqCode(err)
	return code == pqerror.TRDeadlockDetected || code == pqerror.TRSerializationFailure
}

// causedByData reports an error that some row's content caused (a check, a foreign key, a
// byte the database refuses), as opposed to the database or the connection failing.
func causedByData(err error) bool {
	code := pqCode(err)
	if len(code) < 2 {
		return false
	}
	switch code.Class() {
	case "22", "23", "54":
		return true
	}
	return false
}

// tryUnit runs one batch in one transaction under the business's ledger lock: it reads the
// state of everyone in the batch, decides each write in arrival order against the state the
// writes before it left, and writes everything with a handful of statements.
func (s *Store) tryUnit(ctx context.Context, writes []consent.Write, recorded map[string]bool) ([]writeResult, error) {
	var results []writeResult
	err := s.tryTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		results, err = s.unitInTx(ctx, tx, writes, recorded)
		return err
	})
	return results, err
}

// unitInTx is the body of a batch's transaction, within tx.
func (s *Store) unitInTx(ctx context.Context, tx *sqlx.Tx, writes []consent.Write, recorded map[string]bool) ([]writeResult, error) {
	u, err := readUnit(ctx, tx, s.prep, writes[0].BusinessID, writes, s.clock)
	if err != nil {
		return nil, err
	}
	u.decideAll(recorded)
	if err := u.write(ctx, tx, recorded); err != nil {
		return nil, err
	}
	return u.results, nil
}

// unit is one batch being decided: the state of its people as the writes so far leave it,
// and what the batch will write.
type unit struct {
	businessID string
	prep       *statements
	writes     []consent.Write
	now        time.Time // the unit's clock, read under the lock
	states     map[string]*consent.State
	claimed    map[string]string // provider ref → reply stored for a message handled before
	results    []writeResult

	// What the batch writes, filled by decideAll.
	events   []consent.Event
	owner    []int // owner[j] is the write events[j] belongs to
	claims   []claim
	pendings map[string]pendingChange // by phone, the last change wins
	dupOf    map[int]int              // a message delivered twice in the batch → its first delivery
}

type claim struct {
	ref, phone string
	channel    consent.Channel
	reply      string
	write      int
}

type pendingChange struct {
	pending *consent.Pending
	channel consent.Channel
}

// decideAll decides every write in order. A message handled before, or delivered twice in
// this batch, is not decided again. A write whose Decide panics or whose outcome the ledger
// must not hold fails alone. Events under a key recorded before do not move the state.
func (u *unit) decideAll(recorded map[string]bool) {
	firstOfRef := map[string]int{}
	inBatch := map[string]bool{}
	for i, w := range u.writes {
		if w.Message != nil {
			if reply, ok := u.claimed[w.Message.ProviderRef]; ok {
				u.results[i] = writeResult{committed: consent.Committed{Reply: reply}}
				continue
			}
			if first, ok := firstOfRef[w.Message.ProviderRef]; ok {
				u.dupOf[i] = first
				continue
			}
			firstOfRef[w.Message.ProviderRef] = i
		}
		st := u.stateFor(w.Phone)
		out, err := decide(w, st)
		if err == nil {
			err = u.validate(w, out)
		}
		if err != nil {
			u.results[i] = writeResult{err: fmt.Errorf("deciding a write: %w", err)}
			continue
		}
		u.results[i].committed = consent.Committed{Reply: out.Reply, Fresh: true}
		for _, e := range out.Events {
			u.events, u.owner = append(u.events, e), append(u.owner, i)
			if !recorded[e.IdempotencyKey] && !inBatch[e.IdempotencyKey] {
				u.apply(e)
			}
			inBatch[e.IdempotencyKey] = true
		}
		if w.Message != nil {
			u.claims = append(u.claims, claim{ref: w.Message.ProviderRef, phone: w.Phone, channel: w.Message.Channel, reply: out.Reply, write: i})
		}
		if out.PendingChanged && w.Phone != "" {
			ch := consent.ChannelSMS
			if w.Message != nil {
				ch = w.Message.Channel
			}
			u.pendings[w.Phone] = pendingChange{pending: out.Pending, channel: ch}
			if s, ok := u.states[w.Phone]; ok {
				s.Pending = out.Pending
			}
		}
	}
}

// stateFor returns a copy of the state of phone with the write's time stamped: the unit's
// clock, or the person's latest event when a clock behind it (another replica's) would
// otherwise put this write before it.
func (u *unit) stateFor(phone string) consent.State {
	st := consent.State{Now: u.now}
	if s, ok := u.states[phone]; ok {
		st.Pending, st.Consents = s.Pending, slices.Clone(s.Consents)
		for _, c := range s.Consents {
			if c.UpdatedAt.After(st.Now) {
				st.Now = c.UpdatedAt
			}
		}
	}
	return st
}

// decide runs the write's Decide, stamping the state's time on events that carry none. A
// panic fails the write instead of the batch.
func decide(w consent.Write, st consent.State) (out consent.Outcome, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("deciding panicked: %v", r)
		}
	}()
	out = w.Decide(st)
	out.Events = slices.Clone(out.Events)
	for i := range out.Events {
		if out.Events[i].OccurredAt.IsZero() {
			out.Events[i].OccurredAt = st.Now
		}
	}
	return out, nil
}

// validate refuses an outcome the ledger must never hold, and events of another business.
func (u *unit) validate(w consent.Write, out consent.Outcome) error {
	for _, e := range out.Events {
		if e.BusinessID != u.businessID {
			return fmt.Errorf("event %q is for business %q, the write for %q: %w", e.IdempotencyKey, e.BusinessID, u.businessID, consent.ErrInvalid)
		}
		if err := validateEvent(e); err != nil {
			return err
		}
	}
	if w.Message != nil && w.Message.ProviderRef == "" {
		return fmt.Errorf("message without provider reference: %w", consent.ErrInvalid)
	}
	p := out.Pending
	if out.PendingChanged && p != nil && len(p.Categories) > 0 && p.Disclosure.Text == "" {
		return fmt.Errorf("pending disclosure without text: %w", consent.ErrInvalid)
	}
	return nil
}

// apply moves the in-memory state of the event's person forward, as the projection will.
func (u *unit) apply(e consent.Event) {
	s, ok := u.states[e.Phone]
	if !ok {
		return
	}
	for i, c := range s.Consents {
		if c.Category == e.Category {
			if c.UpdatedAt.After(e.OccurredAt) {
				return
			}
			s.Consents[i] = consentOf(e)
			return
		}
	}
	s.Consents = append(s.Consents, consentOf(e))
}

func consentOf(e consent.Event) consent.Consent {
	return consent.Consent{BusinessID: e.BusinessID, Phone: e.Phone, Category: e.Category, Status: e.Action.Status(),
		Channel: e.Channel, UpdatedAt: e.OccurredAt, EventID: e.ID}
}
