package main

import (
	"net/url"

	"github.com/optin/optin/cmd/internal/twilioforms"
)

// benchAccount is the AccountSid every simulated webhook carries.
const benchAccount = "AC3f5a9c2e7b1d4f6a8c0e2b4d6f8a1c3e"

// smsForm is an inbound SMS as Twilio posts it.
func smsForm(messageSid, from, to, body string) url.Values {
	return twilioforms.SMS(benchAccount, messageSid, from, to, body)
}

// whatsAppForm is an inbound WhatsApp text; from and to are E.164.
func whatsAppForm(messageSid, from, to, body string) url.Values {
	return twilioforms.WhatsApp(benchAccount, messageSid, from, to, body)
}

// voiceForm is an incoming call; with digits set it is the <Gather> result of a step.
func voiceForm(callSid, from, to, digits string) url.Values {
	return twilioforms.Voice(benchAccount, callSid, from, to, digits)
}
