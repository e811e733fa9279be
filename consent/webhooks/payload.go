package webhooks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/wire"
)

// The JSON a receiver gets; its data has the shapes the API answers with (consent/wire).

// message is the body of every webhook request.
type message struct {
	ID         string                `json:"id"`   // the webhook-id header: the same on every retry
	Type       consent.WebhookStream `json:"type"` // consent.changed or signal.recorded
	OccurredAt time.Time             `json:"occurred_at"`
	Data       any                   `json:"data"` // wire.Event or wire.Signal
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
		m.Data = wire.EventOf(*e)
	case d.Stream == consent.StreamSignalRecorded && d.Signal != nil:
		s := d.Signal
		m.OccurredAt = s.OccurredAt.UTC()
		m.Data = wire.SignalOf(*s)
	default:
		return nil, fmt.Errorf("delivery %d of %s carries nothing to send", d.ID, d.Stream)
	}
	return json.Marshal(m)
}
