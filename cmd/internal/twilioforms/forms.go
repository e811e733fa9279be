// Package twilioforms builds the POST forms Twilio sends to the service's webhooks, field for
// field as the recorded payloads in fixtures/twilio, for the load generator and the soak.
package twilioforms

import (
	"net/url"
	"strings"
)

// messagingService is the MessagingServiceSid the forms carry.
const messagingService = "MG2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a"

// SMS is an inbound SMS (fixtures/twilio/sms-keyword.form).
func SMS(account, messageSid, from, to, body string) url.Values {
	return url.Values{
		"ToCountry": {"US"}, "ToState": {"CA"}, "SmsMessageSid": {messageSid}, "NumMedia": {"0"},
		"ToCity": {""}, "FromZip": {"94105"}, "SmsSid": {messageSid}, "FromState": {"CA"},
		"SmsStatus": {"received"}, "FromCity": {"SAN FRANCISCO"}, "Body": {body}, "FromCountry": {"US"},
		"To": {to}, "MessagingServiceSid": {messagingService}, "ToZip": {""},
		"NumSegments": {"1"}, "MessageSid": {messageSid}, "AccountSid": {account}, "From": {from},
		"ApiVersion": {"2010-04-01"},
	}
}

// WhatsApp is an inbound WhatsApp text (fixtures/twilio/whatsapp-text.form); from and to are
// E.164, without the whatsapp: prefix the form adds.
func WhatsApp(account, messageSid, from, to, body string) url.Values {
	return url.Values{
		"SmsMessageSid": {messageSid}, "NumMedia": {"0"}, "ProfileName": {"Jane"}, "MessageType": {"text"},
		"SmsSid": {messageSid}, "WaId": {strings.TrimPrefix(from, "+")}, "SmsStatus": {"received"},
		"Body": {body}, "To": {"whatsapp:" + to}, "NumSegments": {"1"}, "ReferralNumMedia": {"0"},
		"MessageSid": {messageSid}, "AccountSid": {account}, "From": {"whatsapp:" + from},
		"ApiVersion": {"2010-04-01"},
	}
}

// Status is the status callback of an outbound message that failed with errorCode
// (fixtures/twilio/status-21610.form): From is the business, To the recipient.
func Status(account, messageSid, business, recipient, errorCode string) url.Values {
	return url.Values{
		"ErrorCode": {errorCode}, "SmsSid": {messageSid}, "SmsStatus": {"undelivered"},
		"MessageStatus": {"undelivered"}, "To": {recipient}, "MessagingServiceSid": {messagingService},
		"MessageSid": {messageSid}, "AccountSid": {account}, "From": {business}, "ApiVersion": {"2010-04-01"},
	}
}

// Voice is an incoming call (fixtures/twilio/voice-incoming.form); with digits set it is the
// <Gather> result of a step (fixtures/twilio/voice-gather-digits.form).
func Voice(account, callSid, from, to, digits string) url.Values {
	f := url.Values{
		"AccountSid": {account}, "ApiVersion": {"2010-04-01"}, "CallSid": {callSid},
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
