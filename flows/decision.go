package flows

import (
	"time"

	"github.com/optin/optin/consent"
)

// Decision is one thing to record: an opt-in or opt-out of one category, why, and the
// disclosure the person answered.
type Decision struct {
	Action     consent.Action      // opt_in or opt_out
	Category   string              // category key
	Reason     consent.Reason      // keypress, keyword, natural_language, button or provider_opt_out
	Input      string              // the digits pressed or the text acted on, raw
	Disclosure *consent.Disclosure // the text the person agreed to; set on every opt-in, nil on opt-outs
	OccurredAt time.Time           // the Now of the input that made the decision
}

// Event returns the ledger event of d: base (business, phone, channel, provider reference,
// evidence and idempotency key) with the decision's category, action, reason, input, disclosure
// and time set.
func (d Decision) Event(base consent.Event) consent.Event {
	base.Category = d.Category
	base.Action = d.Action
	base.Reason = d.Reason
	base.Input = d.Input
	base.OccurredAt = d.OccurredAt
	if d.Disclosure != nil {
		disc := *d.Disclosure
		base.Disclosure = &disc
	}
	return base
}

// decide returns one decision per category, each with its own copy of the disclosure.
func decide(action consent.Action, cats []consent.Category, reason consent.Reason, input string, disc *consent.Disclosure, at time.Time) []Decision {
	out := make([]Decision, len(cats))
	for i, c := range cats {
		out[i] = Decision{Action: action, Category: c.Key, Reason: reason, Input: input, OccurredAt: at}
		if disc != nil {
			d := *disc
			out[i].Disclosure = &d
		}
	}
	return out
}
