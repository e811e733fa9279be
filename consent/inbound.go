package consent

// Inbound is everything one inbound message changed, committed exactly once per provider id:
// the events it records, the pending disclosure it leaves behind and the reply it was given.
// A redelivery of the same message gets the stored reply and records nothing.
type Inbound struct {
	BusinessID     string
	Phone          string   // E.164 of the sender
	Channel        Channel  // sms or whatsapp
	ProviderRef    string   // MessageSid
	Reply          string   // the reply body sent back; empty for none
	Events         []Event  // decisions to record, each with its idempotency key
	Pending        *Pending // the pending disclosure after this message; nil clears it
	PendingChanged bool     // whether Pending should be written at all
}
