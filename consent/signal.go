package consent

import "time"

// SignalKind is what a platform said about delivering to a person.
type SignalKind string

// The platform signals (DESIGN §4). None of them changes consent.
const (
	// SignalPlatformStop: the person stopped marketing from this sender inside WhatsApp (63033);
	// the send decision denies marketing categories on WhatsApp.
	SignalPlatformStop SignalKind = "platform_stop"
	// SignalDeliveryLimited: Meta's marketing cap or the US pause held a message back (63049).
	SignalDeliveryLimited SignalKind = "delivery_limited"
	// SignalUndeliverable: the number is blocked or unreachable on WhatsApp (63014).
	SignalUndeliverable SignalKind = "undeliverable"
)

// signalOfErrorCode maps Twilio error codes of status callbacks to the signal they give.
var signalOfErrorCode = map[string]SignalKind{
	"63033": SignalPlatformStop,
	"63049": SignalDeliveryLimited,
	"63014": SignalUndeliverable,
}

// SignalOfErrorCode returns the signal a status callback's ErrorCode gives, if any.
func SignalOfErrorCode(code string) (SignalKind, bool) {
	k, ok := signalOfErrorCode[code]
	return k, ok
}

// Signal is one row of the append-only signals table.
type Signal struct {
	ID          int64 // assigned by the store, increasing in commit order per business
	BusinessID  string
	Phone       string     // E.164 of the person
	Kind        SignalKind // platform_stop, delivery_limited or undeliverable
	Channel     Channel    // sms or whatsapp
	Sender      string     // the business number the message was sent from
	ErrorCode   string     // Twilio's ErrorCode
	ProviderRef string     // MessageSid; one signal per message
	Evidence    map[string]any
	OccurredAt  time.Time
}
