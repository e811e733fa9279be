package main

import (
	"fmt"
	"net/url"
	"sync/atomic"

	"github.com/optin/optin/cmd/internal/twilioforms"
)

// soakAccount is the AccountSid every simulated webhook carries.
const soakAccount = "AC5e0a4c1b9d2f7e3a8c6b0d4f2a9e1c7b"

// smsForm is an inbound SMS as Twilio posts it.
func smsForm(messageSid, from, to, body string) url.Values {
	return twilioforms.SMS(soakAccount, messageSid, from, to, body)
}

// statusForm is the status callback of an outbound message that failed with errorCode: From
// is the business, To the recipient.
func statusForm(messageSid, business, recipient, errorCode string) url.Values {
	return twilioforms.Status(soakAccount, messageSid, business, recipient, errorCode)
}

// voiceForm is an incoming call; with digits set it is the <Gather> result of a step.
func voiceForm(callSid, from, to, digits string) url.Values {
	return twilioforms.Voice(soakAccount, callSid, from, to, digits)
}

// ids hands out the phones and provider ids of one phase, each used once. Every phase has
// its own database, so phases may repeat each other's.
type ids struct {
	area  string // the phones' US area code
	next  atomic.Int64
	calls atomic.Int64
	sids  atomic.Int64
}

// phone is a US number no other request of the phase uses.
func (g *ids) phone() string {
	return fmt.Sprintf("+1%s%07d", g.area, 2_000_000+g.next.Add(1))
}

// messageSid is a MessageSid (34 characters, as Twilio's) no other message of the phase has.
func (g *ids) messageSid() string { return fmt.Sprintf("SM%032d", g.sids.Add(1)) }

// callSid is a CallSid no other call of the phase has.
func (g *ids) callSid() string { return fmt.Sprintf("CA%032d", g.calls.Add(1)) }

// idempotencyKey is an Idempotency-Key no other API request of the phase sends.
func (g *ids) idempotencyKey() string { return fmt.Sprintf("soak-%d", g.sids.Add(1)) }
