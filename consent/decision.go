package consent

import (
	"fmt"
	"strings"
	"time"
)

// DecisionCode says why a send is allowed or not.
type DecisionCode string

// Codes of the send decision.
const (
	DecisionOptedIn          DecisionCode = "opted_in"           // the person opted in to the category: the one code that allows
	DecisionNotOptedIn       DecisionCode = "not_opted_in"       // the person never answered for the category
	DecisionOptedOut         DecisionCode = "opted_out"          // the person withdrew consent for the category
	DecisionPlatformStop     DecisionCode = "platform_stop"      // WhatsApp reported that the person stopped the business's marketing
	DecisionUSMarketingPause DecisionCode = "us_marketing_pause" // Meta delivers no marketing templates to +1 numbers
	DecisionErased           DecisionCode = "erased"             // the person's data was erased; they stay suppressed
)

// denyOrder ranks the codes from the least permissive: a decision lists its reasons in this
// order, so the first is the one that settles it.
var denyOrder = []DecisionCode{DecisionErased, DecisionOptedOut, DecisionNotOptedIn, DecisionPlatformStop,
	DecisionUSMarketingPause, DecisionOptedIn}

// ServiceWindow is how long after a person's last message a business may answer them
// free-form on WhatsApp, without a template (DOMAIN §7).
const ServiceWindow = 24 * time.Hour

// DecisionReason is one reason of a decision, with a sentence a person understands.
type DecisionReason struct {
	Code   DecisionCode
	Detail string
}

// Decision answers a business's "may I send this person this category on this channel now?".
type Decision struct {
	Phone    string  // E.164
	Category string  // category key
	Channel  Channel // whatsapp or sms
	// Allowed is true only when the person opted in and nothing else denies the send.
	Allowed bool
	// Reasons are every reason that applies, the least permissive first; never empty.
	Reasons []DecisionReason
	Consent *Consent // the person's consent for the category; nil when they never answered
	// ServiceWindowUntil is when the window the person's last message on the channel opened
	// closes; nil when it is not open.
	ServiceWindowUntil *time.Time
}

// DecisionInput is what is known about one person when a send is decided: everything the
// decision depends on is passed in, so it is the same wherever and whenever it is made.
type DecisionInput struct {
	Phone   string   // E.164
	Consent *Consent // the person's consent for the category; nil when they never answered
	// PlatformStops are when WhatsApp reported (Twilio 63033) that the person stopped marketing
	// from one of the business's senders. Only a stop since the person last opted in counts:
	// WhatsApp never tells anyone of a resume, and a failed send records a new stop.
	PlatformStops []time.Time
	// Erased is true while the person is suppressed after an erasure: until a new explicit
	// opt-in (DESIGN §10).
	Erased bool
	// LastInbound is when the person's last message on the decision's channel arrived; nil
	// when they never wrote on it.
	LastInbound *time.Time
}

// SendChannel reports whether ch is a channel the business sends on, so a decision can be
// asked for it: whatsapp or sms.
func SendChannel(ch Channel) bool { return ch == ChannelWhatsApp || ch == ChannelSMS }

// DecideSend decides whether the business may send the person in messages of category cat on
// channel ch at now. It does no I/O: the store reads in, the edge shows the result.
func (b Business) DecideSend(cat Category, ch Channel, in DecisionInput, now time.Time) Decision {
	d := Decision{Phone: in.Phone, Category: cat.Key, Channel: ch, Consent: in.Consent}
	reasons := map[DecisionCode]string{}
	switch c := in.Consent; {
	case c == nil:
		reasons[DecisionNotOptedIn] = fmt.Sprintf("There is no record of this person opting in to %s: ask for their consent, with the disclosure, before sending.", cat.Label)
	case c.Status == StatusOptedOut:
		reasons[DecisionOptedOut] = fmt.Sprintf("This person opted out of %s on %s (%s): send nothing of it until they opt in again.", cat.Label, when(c.UpdatedAt), c.Channel)
	default:
		reasons[DecisionOptedIn] = fmt.Sprintf("This person opted in to %s on %s (%s).", cat.Label, when(c.UpdatedAt), c.Channel)
	}
	if in.Erased {
		reasons[DecisionErased] = "This person's data was erased at their request: they stay suppressed until they opt in again themselves."
	}
	marketingOnWhatsApp := ch == ChannelWhatsApp && cat.TemplateCategory == TemplateMarketing
	if stop, ok := platformStop(in); ok && marketingOnWhatsApp {
		reasons[DecisionPlatformStop] = fmt.Sprintf("On %s WhatsApp reported that this person stopped marketing messages from this business; "+
			"messages of %s are marketing templates, which WhatsApp will not deliver to them. Utility and authentication templates still go.", when(stop), cat.Label)
	}
	if b.USMarketingPause && marketingOnWhatsApp && strings.HasPrefix(in.Phone, "+1") {
		reasons[DecisionUSMarketingPause] = fmt.Sprintf("Meta delivers no marketing templates to +1 numbers on WhatsApp, and messages of %s are "+
			"marketing templates: reach this person by SMS instead.", cat.Label)
	}
	for _, code := range denyOrder {
		if detail, ok := reasons[code]; ok {
			d.Reasons = append(d.Reasons, DecisionReason{Code: code, Detail: detail})
		}
	}
	d.Allowed = len(d.Reasons) == 1 && d.Reasons[0].Code == DecisionOptedIn
	if in.LastInbound != nil {
		if until := in.LastInbound.Add(ServiceWindow).UTC(); now.Before(until) {
			d.ServiceWindowUntil = &until
		}
	}
	return d
}

// platformStop returns the latest platform stop that counts: one since the person's latest
// opt-in to the category, or any when they are not opted in.
func platformStop(in DecisionInput) (time.Time, bool) {
	var latest time.Time
	for _, t := range in.PlatformStops {
		if t.After(latest) {
			latest = t
		}
	}
	if latest.IsZero() {
		return latest, false
	}
	if c := in.Consent; c != nil && c.Status == StatusOptedIn && c.UpdatedAt.After(latest) {
		return latest, false
	}
	return latest, true
}

// when writes an instant for the details of a decision, to the minute, in UTC.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
