package main

import (
	"net/url"
	"strings"
)

// benchAccount is the AccountSid every simulated webhook carries.
const benchAccount = "AC3f5a9c2e7b1d4f6a8c0e2b4d6f8a1c3e"

// smsForm is an inbound SMS as Twilio posts it (the fields of fixtures/twilio/sms-keyword.form).
func smsForm(messageSid, from, to, body string) url.Values {
	return url.Values{
		"ToCountry": {"US"}, "ToState": {"CA"}, "SmsMessageSid": {messageSid}, "NumMedia": {"0"},
		"ToCity": {""}, "FromZip": {"94105"}, "SmsSid": {messageSid}, "FromState": {"CA"},
		"SmsStatus": {"received"}, "FromCity": {"SAN FRANCISCO"}, "Body": {body}, "FromCountry": {"US"},
		"To": {to}, "MessagingServiceSid": {"MG2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a"}, "ToZip": {""},
		"NumSegments": {"1"}, "MessageSid": {messageSid}, "AccountSid": {benchAccount}, "From": {from},
		"ApiVersion": {"2010-04-01"},
	}
}

// whatsAppForm is an inbound WhatsApp text (the fields of fixtures/twilio/whatsapp-text.form).
func whatsAppForm(messageSid, from, to, body string) url.Values {
	return url.Values{
		"SmsMessageSid": {messageSid}, "NumMedia": {"0"}, "ProfileName": {"Jane"}, "MessageType": {"text"},
		"SmsSid": {messageSid}, "WaId": {strings.TrimPrefix(from, "+")}, "SmsStatus": {"received"},
		"Body": {body}, "To": {"whatsapp:" + to}, "NumSegments": {"1"}, "ReferralNumMedia": {"0"},
		"MessageSid": {messageSid}, "AccountSid": {benchAccount}, "From": {"whatsapp:" + from},
		"ApiVersion": {"2010-04-01"},
	}
}

// voiceForm is an incoming call (fixtures/twilio/voice-incoming.form); with digits set it is
// the <Gather> result of a step (fixtures/twilio/voice-gather-digits.form).
func voiceForm(callSid, from, to, digits string) url.Values {
	f := url.Values{
		"AccountSid": {benchAccount}, "ApiVersion": {"2010-04-01"}, "CallSid": {callSid},
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
