// Package wire holds the JSON shapes of a ledger Event and a platform Signal (DESIGN §5), the
// one definition the business API answers with and change webhooks carry, so the two never
// drift apart.
package wire

import (
	"time"

	"github.com/optin/optin/consent"
)

// Event is a ledger event as senders see it.
type Event struct {
	ID         int64           `json:"id"`
	Phone      string          `json:"phone"`
	Category   string          `json:"category"`
	Action     consent.Action  `json:"action"`
	Channel    consent.Channel `json:"channel"`
	Reason     consent.Reason  `json:"reason"`
	OccurredAt time.Time       `json:"occurred_at"`
}

// EventOf is e in its wire shape, its time in UTC.
func EventOf(e consent.Event) Event {
	return Event{ID: e.ID, Phone: e.Phone, Category: e.Category, Action: e.Action, Channel: e.Channel,
		Reason: e.Reason, OccurredAt: e.OccurredAt.UTC()}
}

// Signal is a platform signal as senders see it.
type Signal struct {
	ID          int64              `json:"id"`
	Phone       string             `json:"phone"`
	Kind        consent.SignalKind `json:"kind"`
	Sender      string             `json:"sender"`
	ErrorCode   string             `json:"error_code"`
	ProviderRef string             `json:"provider_ref"`
	OccurredAt  time.Time          `json:"occurred_at"`
}

// SignalOf is s in its wire shape, its time in UTC.
func SignalOf(s consent.Signal) Signal {
	return Signal{ID: s.ID, Phone: s.Phone, Kind: s.Kind, Sender: s.Sender, ErrorCode: s.ErrorCode,
		ProviderRef: s.ProviderRef, OccurredAt: s.OccurredAt.UTC()}
}
