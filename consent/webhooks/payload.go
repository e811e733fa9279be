package webhooks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/optin/optin/consent"
)

// The JSON a receiver gets. Event and Signal have the shapes of the API's (DESIGN §5), written
// out here because this package does not depend on the API's.

// message is the body of every webhook request.
type message struct {
	ID         string                `json:"id"`   // the webhook-id header: the same on every retry
	Type       consent.WebhookStream `json:"type"` // consent.changed or signal.recorded
	OccurredAt time.Time             `json:"occurred_at"`
	Data       any                   `json:"data"` // eventJSON or signalJSON
}

type eventJSON struct {
	ID         int64           `json:"id"`
	Phone      string          `json:"phone"`
	Category   string          `json:"category"`
	Action     consent.Action  `json:"action"`
	Channel    consent.Channel `json:"channel"`
	Reason     consent.Reason  `json:"reason"`
	OccurredAt time.Time       `json:"occurred_at"`
}

type signalJSON struct {
	ID          int64              `json:"id"`
	Phone       string             `json:"phone"`
	Kind        consent.SignalKind `json:"kind"`
	Sender      string             `json:"sender"`
	ErrorCode   string             `json:"error_code"`
	ProviderRef string             `json:"provider_ref"`
	OccurredAt  time.Time          `json:"occurred_at"`
}

// MessageID is the webhook-id of a delivery: stable per event and endpoint, so every retry
// carries the same one and a receiver can drop a message it already has.
func MessageID(d consent.WebhookDelivery) string { return fmt.Sprintf("msg_%d", d.ID) }

// Body returns the JSON body of a delivery.
func Body(d consent.WebhookDelivery) ([]byte, error) {
	m := message{ID: MessageID(d), Type: d.Stream}
	switch {
	case d.Stream == consent.StreamConsentChanged && d.Event != nil:
		e := d.Event
		m.OccurredAt = e.OccurredAt.UTC()
		m.Data = eventJSON{ID: e.ID, Phone: e.Phone, Category: e.Category, Action: e.Action, Channel: e.Channel,
			Reason: e.Reason, OccurredAt: e.OccurredAt.UTC()}
	case d.Stream == consent.StreamSignalRecorded && d.Signal != nil:
		s := d.Signal
		m.OccurredAt = s.OccurredAt.UTC()
		m.Data = signalJSON{ID: s.ID, Phone: s.Phone, Kind: s.Kind, Sender: s.Sender, ErrorCode: s.ErrorCode,
			ProviderRef: s.ProviderRef, OccurredAt: s.OccurredAt.UTC()}
	default:
		return nil, fmt.Errorf("delivery %d of %s carries nothing to send", d.ID, d.Stream)
	}
	return json.Marshal(m)
}
