package main

import (
	"fmt"
	"net/url"
	"sync/atomic"
)

// soakAccount is the AccountSid every simulated webhook carries.
const soakAccount = "AC5e0a4c1b9d2f7e3a8c6b0d4f2a9e1c7b"

// smsForm is an inbound SMS as Twilio posts it (the fields of fixtures/twilio/sms-keyword.form).
func smsForm(messageSid, from, to, body string) url.Values {
	return url.Values{
		"ToCountry": {"US"}, "ToState": {"CA"}, "SmsMessageSid": {messageSid}, "NumMedia": {"0"},
		"ToCity": {""}, "FromZip": {"94105"}, "SmsSid": {messageSid}, "FromState": {"CA"},
		"SmsStatus": {"received"}, "FromCity": {"SAN FRANCISCO"}, "Body": {body}, "FromCountry": {"US"},
		"To": {to}, "MessagingServiceSid": {"MG2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a"}, "ToZip": {""},
		"NumSegments": {"1"}, "MessageSid": {messageSid}, "AccountSid": {soakAccount}, "From": {from},
		"ApiVersion": {"2010-04-01"},
	}
}

// statusForm is the status callback of an outbound message that failed with errorCode
// (fixtures/twilio/status-21610.form): From is the business, To the recipient.
func statusForm(messageSid, business, recipient, errorCode string) url.Values {
	return url.Values{
		"ErrorCode": {errorCode}, "SmsSid": {messageSid}, "SmsStatus": {"undelivered"},
		"MessageStatus": {"undelivered"}, "To": {recipient}, "MessagingServiceSid": {"MG2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a"},
		"MessageSid": {messageSid}, "AccountSid": {soakAccount}, "From": {business}, "ApiVersion": {"2010-04-01"},
	}
}

// voiceForm is an incoming call (fixtures/twilio/voice-incoming.form); with digits set it is
// the <Gather> result of a step (fixtures/twilio/voice-gather-digits.form).
func voiceForm(callSid, from, to, digits string) url.Values {
	f := url.Values{
		"AccountSid": {soakAccount}, "ApiVersion": {"2010-04-01"}, "CallSid": {callSid},
		"CallStatus": {"ringing"}, "Called": {to}, "CalledCity": {""}, "CalledCountry": {"US"},
		"CalledState": {""}, "CalledZip": {""}, "Caller": {from}, "CallerCity": {"SAN FRANCISCO"},
		"CallerCountry": {"US"}, "CallerState": {"CA"}, "CallerZip": {"94105"}, "Direction": {"inbound"},
		"From": {from}, "FromCity": {"SAN FRANCISCO"}, "FromCountry": {"US"}, "FromState": {"CA"},
		"FromZip": {"94105"}, "To": {to}, "ToCity": {""}, "ToCountry": {"US"}, "ToState": {""}, "ToZip": {""},
	}
	if digits != "" {
		f.Set("CallStatus", "in-progress")
		f.Set("Digits", digits)
		f.Set("FinishedOnKey", "")
		f.Set("msg", "Gather End")
	}
	return f
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
