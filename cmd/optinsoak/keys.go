package main

import "strings"

// The idempotency keys the service gives the events of each kind of write (channels/twilio,
// consent/api). A redelivery, a retried API request or a replay from the spool records nothing
// twice only because it carries the same keys as the first attempt, so the soak checks them.

// categoryHole stands for the category in a key pattern.
const categoryHole = "{category}"

// messageKeys are the keys of an inbound message's events.
func messageKeys(messageSid string) string { return "msg:" + messageSid + ":" + categoryHole }

// statusKeys are the keys of a 21610 status callback's events.
func statusKeys(messageSid string) string { return "status:" + messageSid + ":" + categoryHole }

// callKeys are the keys of the events one step of a call records.
func callKeys(callSid, step string) string {
	return "ivr:" + callSid + ":" + step + ":" + categoryHole
}

// apiOptOutKeys are the keys of the events of POST /v1/opt-outs sent with an Idempotency-Key.
func apiOptOutKeys(idempotencyKey, phone string) string {
	return "api:key:" + idempotencyKey + ":opt_out:" + phone + ":" + categoryHole
}

// keyFor is the idempotency key the write's event of category carries; "" when unknown.
func (w write) keyFor(category string) string {
	return strings.ReplaceAll(w.keyPattern, categoryHole, category)
}
