package consent

import (
	"errors"
	"time"
)

// WebhookStream names a stream of changes a webhook endpoint subscribes to. Each stream
// follows one append-only table of a business in id order.
type WebhookStream string

// The webhook streams (DESIGN §5).
const (
	// StreamConsentChanged carries every event of the consent ledger.
	StreamConsentChanged WebhookStream = "consent.changed"
	// StreamSignalRecorded carries every platform signal.
	StreamSignalRecorded WebhookStream = "signal.recorded"
)

// WebhookStreams lists every stream, in the order a dispatcher visits them.
var WebhookStreams = []WebhookStream{StreamConsentChanged, StreamSignalRecorded}

// Valid reports whether s is a known stream.
func (s WebhookStream) Valid() bool { return s == StreamConsentChanged || s == StreamSignalRecorded }

// DeliveryStatus is where one webhook delivery stands.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"   // taken, not yet answered with a 2xx; retried
	DeliveryDelivered DeliveryStatus = "delivered" // the receiver answered 2xx
	DeliveryFailed    DeliveryStatus = "failed"    // given up on (retry window over, or 410)
)

// WebhookEndpoint is a URL a business asked to receive its changes at.
type WebhookEndpoint struct {
	ID         int64
	BusinessID string
	URL        string
	Streams    []WebhookStream
	// SealedSecret is the signing secret encrypted under the service's key; only the
	// dispatcher opens it, and the API shows the plain secret once, when it is created.
	SealedSecret []byte
	CreatedAt    time.Time
	// DisabledAt is when deliveries stopped for good (the receiver answered 410); nil while
	// the endpoint is active.
	DisabledAt     *time.Time
	DisabledReason string
}

// Subscribes reports whether the endpoint receives stream s.
func (w WebhookEndpoint) Subscribes(s WebhookStream) bool {
	for _, k := range w.Streams {
		if k == s {
			return true
		}
	}
	return false
}

// WebhookDelivery is one event of a stream on its way to one endpoint: created when the
// dispatcher takes the event, finished when it is delivered or given up on.
type WebhookDelivery struct {
	ID             int64
	BusinessID     string
	EndpointID     int64
	Stream         WebhookStream
	EventID        int64 // the id of the ledger event or signal
	Status         DeliveryStatus
	Attempts       int
	LastStatusCode int        // the receiver's last HTTP status; 0 when none answered
	LastError      string     // why the last attempt failed, when it did
	NextAttemptAt  *time.Time // set while pending
	CreatedAt      time.Time
	Event          *Event  // the event delivered, for StreamConsentChanged
	Signal         *Signal // the signal delivered, for StreamSignalRecorded
}

// ErrNoWebhookKey is the error of creating a webhook on a service that has no key to seal
// its secret with.
var ErrNoWebhookKey = errors.New("no key to seal webhook secrets with")

// WebhookError is a webhook registration that cannot be accepted, naming the field and why.
type WebhookError struct {
	Field   string // url or events
	Problem string
}

func (e WebhookError) Error() string { return e.Field + ": " + e.Problem }

// Unwrap lets errors.Is(err, ErrInvalid) match a WebhookError.
func (e WebhookError) Unwrap() error { return ErrInvalid }

// WebhookAttempt is the outcome of one delivery attempt, as the dispatcher records it.
type WebhookAttempt struct {
	StatusCode int    // the receiver's HTTP status; 0 when none answered
	Error      string // why the attempt failed, when it did
	Delivered  bool   // a 2xx: the delivery is over
	Gone       bool   // a 410: the endpoint is disabled for good and the delivery fails
	// RetryIn is the wait before the next attempt of a delivery that failed.
	RetryIn time.Duration
	// GiveUpAfter ends a delivery that fails once it was taken longer ago than this: it is
	// marked failed and the endpoint moves on to the next event.
	GiveUpAfter time.Duration
}

// WebhookLease names the dispatcher that works an endpoint until its lease ends: only the
// holder of the token may take events for the endpoint or record attempts.
type WebhookLease struct {
	BusinessID string
	EndpointID int64
	Token      string
}

// ErrLeaseLost is the error of a dispatcher whose lease on an endpoint ended: another one
// took it over, or the endpoint was removed or disabled.
var ErrLeaseLost = errors.New("webhook lease lost")
