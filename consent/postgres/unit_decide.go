package postgres

import (
	"fmt"
	"slices"
	"time"

	"github.com/optin/optin/consent"
)

// decideAll decides every write in order. A message handled before, or delivered twice in
// this batch, is not decided again. A write whose Decide panics or whose outcome the ledger
// must not hold fails alone. Events under a key recorded before do not move the state.
func (u *unit) decideAll(recorded map[string]bool) {
	firstOfRef := map[string]int{}
	inBatch := map[string]bool{}
	lastAbout := map[string]int{} // phone → the last write of the batch about it
	for i, w := range u.writes {
		lastAbout[w.Phone] = i
	}
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
		out, err := decide(w, u.stateFor(w.Phone, w.Received))
		if err == nil {
			err = u.validate(w, out)
		}
		if err != nil {
			u.results[i] = writeResult{err: fmt.Errorf("deciding a write: %w", err)}
			continue
		}
		u.results[i].committed = consent.Committed{Reply: out.Reply, Fresh: true}
		for _, e := range out.Events {
			fresh := !recorded[e.IdempotencyKey] && !inBatch[e.IdempotencyKey]
			u.events, u.owner = append(u.events, e), append(u.owner, i)
			last, about := lastAbout[e.Phone]
			u.guarded = append(u.guarded, fresh && about && last > i)
			if fresh {
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
			u.pendings[w.Phone] = pendingChange{pending: out.Pending, channel: ch, write: i}
			u.states[w.Phone].Pending = out.Pending
		}
	}
}

// stateFor returns a copy of the state of phone with the write's time stamped: the unit's
// clock (or when the write was received, when that was earlier), or the person's latest
// event when a clock behind it (another replica's) would otherwise put this write before it.
func (u *unit) stateFor(phone string, received time.Time) consent.State {
	st := consent.State{Now: u.now}
	if !received.IsZero() && received.Before(st.Now) {
		st.Now = received.UTC()
	}
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
	if w.Phone != "" && !e164Re.MatchString(w.Phone) {
		return fmt.Errorf("a write about %q, which is not E.164: %w", w.Phone, consent.ErrInvalid)
	}
	for _, e := range out.Events {
		if e.BusinessID != u.businessID {
			return fmt.Errorf("event %q is for business %q, the write for %q: %w", e.IdempotencyKey, e.BusinessID, u.businessID, consent.ErrInvalid)
		}
		if err := validateEvent(e); err != nil {
			return err
		}
		if !u.categories[e.Category] {
			return fmt.Errorf("event %q: %q is not a category of business %s: %w", e.IdempotencyKey, e.Category, u.businessID, consent.ErrUnknownCategory)
		}
	}
	if w.Message != nil && (w.Message.ProviderRef == "" || !consent.StorableText(w.Message.ProviderRef) || !consent.StorableText(out.Reply)) {
		return fmt.Errorf("message without a storable provider reference or reply: %w", consent.ErrInvalid)
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
