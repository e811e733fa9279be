package consent

// Channel is how a person gave or withdrew consent.
type Channel string

// Channels of the ledger.
const (
	ChannelIVR      Channel = "ivr"      // a phone call answered by the IVR menu
	ChannelSMS      Channel = "sms"      // a text message
	ChannelWhatsApp Channel = "whatsapp" // a WhatsApp message to the business number
	ChannelAPI      Channel = "api"      // recorded by the business through the REST API
	ChannelWeb      Channel = "web"      // a web form, reported through the API
	ChannelPaper    Channel = "paper"    // a signed paper form, reported through the API
)

// Channels lists every valid channel, in a stable order.
var Channels = []Channel{ChannelIVR, ChannelSMS, ChannelWhatsApp, ChannelAPI, ChannelWeb, ChannelPaper}

// Valid reports whether c is one of the known channels.
func (c Channel) Valid() bool {
	for _, k := range Channels {
		if c == k {
			return true
		}
	}
	return false
}

// Action is what one ledger event does to one category.
type Action string

// Actions of the ledger.
const (
	ActionOptIn  Action = "opt_in"  // the person agreed to receive the category
	ActionOptOut Action = "opt_out" // the person withdrew consent for the category
)

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return a == ActionOptIn || a == ActionOptOut }

// Status is the resulting state of an action.
func (a Action) Status() Status {
	if a == ActionOptIn {
		return StatusOptedIn
	}
	return StatusOptedOut
}

// Status is the current consent state of one phone for one category.
type Status string

// Statuses of the consent projection.
const (
	StatusOptedIn  Status = "opted_in"  // the business may send the category
	StatusOptedOut Status = "opted_out" // the business must not send the category
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusOptedIn || s == StatusOptedOut }

// Reason says what made the service record an event.
type Reason string

// Reasons of the ledger.
const (
	ReasonKeypress        Reason = "keypress"         // digits pressed in the IVR
	ReasonKeyword         Reason = "keyword"          // an exact keyword such as YES, STOP, STOP OFFERS
	ReasonNaturalLanguage Reason = "natural_language" // wording a reasonable person reads as revocation
	ReasonButton          Reason = "button"           // a WhatsApp quick-reply button
	ReasonProviderOptOut  Reason = "provider_opt_out" // the provider reported the number as opted out (21610, OptOutType)
	ReasonAPI             Reason = "api"              // the business recorded it through the API
	ReasonImport          Reason = "import"           // consent given before the service, brought in by a bulk import
)

// Reasons lists every valid reason, in a stable order.
var Reasons = []Reason{ReasonKeypress, ReasonKeyword, ReasonNaturalLanguage, ReasonButton, ReasonProviderOptOut, ReasonAPI, ReasonImport}

// Valid reports whether r is a known reason.
func (r Reason) Valid() bool {
	for _, k := range Reasons {
		if r == k {
			return true
		}
	}
	return false
}

// Revocation is a business's choice of how far one opt-out reaches.
type Revocation string

// Revocation scopes.
const (
	RevocationCategory Revocation = "category" // STOP KEYWORD revokes that category only
	RevocationGlobal   Revocation = "global"   // any opt-out revokes every category
)

// Valid reports whether r is a known revocation scope.
func (r Revocation) Valid() bool { return r == RevocationCategory || r == RevocationGlobal }
