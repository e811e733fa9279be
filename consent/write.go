package consent

import "time"

// Write is one write about one person of one business: decided against that person's
// committed state and recorded in one unit that no other write about the same person can
// interleave with, on any number of replicas. The store runs Decide inside that unit, so what
// it reads is what the outcome is recorded against.
type Write struct {
	BusinessID string
	// Phone is the person the write is about (E.164); their state is read for Decide. Empty
	// for a write that decides on no state and brings its own events, such as a bulk record.
	Phone string
	// Message, when set, makes the write an inbound message handled exactly once per
	// provider reference: a redelivered message is not decided again and gets the reply stored
	// for its first delivery.
	Message *MessageRef
	// Received, when set, is when the write reached the service, for a write recorded later
	// than that (replayed from the spool while the database did not answer): its time is then
	// Received, or the person's latest event when that is later, never the time of the replay.
	Received time.Time
	// Decide returns what the write changes. It may run more than once (a batch retried), so
	// it must be a pure function of its argument: no I/O, no clock of its own.
	Decide func(State) Outcome
}

// MessageRef names an inbound message by its provider id, claimed once per business.
type MessageRef struct {
	ProviderRef string  // MessageSid
	Channel     Channel // sms or whatsapp
}

// State is what a write is decided against: the person's committed state, read inside the
// write's unit, and the time stamped on everything it records.
type State struct {
	// Now is the write's time, taken inside the unit and never earlier than the person's
	// latest recorded event, so for live writes time order and ledger order agree.
	Now      time.Time
	Pending  *Pending  // the disclosure awaiting a YES from the person, nil when none
	Consents []Consent // the person's current consent, by category
}

// Outcome is what a write changes: events to append, the pending disclosure it leaves behind
// and, for a message, the reply it is given.
type Outcome struct {
	Events         []Event  // each with its idempotency key; a zero OccurredAt becomes State.Now
	Reply          string   // the reply to a message; stored with its claim
	Pending        *Pending // the pending disclosure after the write; nil clears it
	PendingChanged bool     // whether Pending is to be written at all
}

// Committed is the result of a write once its unit committed.
type Committed struct {
	Events []Event // as the ledger holds them: a retried key returns the event stored first
	Reply  string  // the reply given to the message
	// Fresh is false when the message had been handled before: nothing was decided or
	// recorded, and Reply is the reply stored for its first delivery.
	Fresh bool
}

// Fixed returns a Decide that ignores the state and always returns out.
func Fixed(out Outcome) func(State) Outcome {
	return func(State) Outcome { return out }
}
