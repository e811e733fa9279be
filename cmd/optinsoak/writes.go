package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/optin/optin/consent"
)

// write is one change a request asks the service to record: one action on some categories
// of one phone. It is acknowledged when the answer tells the sender it was recorded; an
// acknowledged write must be in the ledger exactly once, whatever PostgreSQL did meanwhile.
type write struct {
	kind       string // the request that asked for it: sms_stop, status_21610, ivr_stop, api_opt_out, sms_yes, ivr_agree
	phone      string
	action     consent.Action
	categories []string
	channel    consent.Channel
	ref        string    // the provider reference its events carry; "" for the API
	keyPattern string    // the idempotency key its events carry (keys.go); "" when unknown
	sent       time.Time // when its request was sent
	done       time.Time // when its answer came; zero while in flight
	acked      bool
	// unexpected marks an acknowledgement whose words were not the flows' reply to it.
	unexpected bool
	answer     string // what it got, in a few words
	reply      string // the text of its TwiML <Message>, when it had one
	body       string // the SMS text that asked for it, to deliver it again
}

// inFlight reports whether the write's request is still waiting for its answer.
func (w *write) inFlight() bool { return w.done.IsZero() }

// request is one HTTP request of a load, for latency and status counts.
type request struct {
	kind    string
	sent    time.Time
	latency time.Duration
	status  int // 0 when no answer came
}

// recorder keeps every request and write of a phase, from many workers at once.
type recorder struct {
	mu       sync.Mutex
	requests []request
	writes   []*write
}

// request records one request's answer.
func (r *recorder) request(kind string, a answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, request{kind: kind, sent: a.sent, latency: a.latency, status: a.status})
}

// begin records a write whose request is about to be sent.
func (r *recorder) begin(w *write) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w.sent = time.Now()
	r.writes = append(r.writes, w)
}

// finish records what a write's request got.
func (r *recorder) finish(w *write, a answer, acked, unexpected bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w.done = time.Now()
	w.acked, w.unexpected, w.answer = acked, unexpected, a.describe()
	if acked {
		w.reply = replyOf(a)
	}
}

// acknowledge marks a write acknowledged by a later delivery of the same request. It returns
// the reply of the earlier acknowledgement and whether there was one.
func (r *recorder) acknowledge(w *write, a answer) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if w.acked {
		return w.reply, true
	}
	w.acked, w.answer, w.reply = true, a.describe(), replyOf(a)
	return "", false
}

// replyOf is the text of an answer's first TwiML <Message>; "" when it has none.
func replyOf(a answer) string {
	doc, err := readTwiML(a.body)
	if err != nil {
		return ""
	}
	return doc.message()
}

// snapshot copies the writes as they stand now.
func (r *recorder) snapshot() []write {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]write, len(r.writes))
	for i, w := range r.writes {
		out[i] = *w
	}
	return out
}

// allRequests copies every request recorded so far.
func (r *recorder) allRequests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.requests...)
}

// The acknowledgement rules. Each says when an answer tells the sender the write was
// recorded, so that the sender will not send it again: Twilio does not retry a webhook
// answered 200, and an API client does not retry a 201 or a 202.

// smsAcknowledged: an SMS (or a 21610 status callback) is acknowledged by HTTP 200, whatever
// its TwiML: Twilio considers the message delivered and never sends it again. expected is the
// reply the flows give; an acknowledgement without it is marked unexpected.
func smsAcknowledged(a answer, expected string) (acked, unexpected bool) {
	if a.status != http.StatusOK {
		return false, false
	}
	if expected == "" {
		return true, false
	}
	doc, err := readTwiML(a.body)
	return true, err != nil || !strings.Contains(doc.message(), expected)
}

// yesAcknowledged: a YES is acknowledged by HTTP 200 with the opt-in confirmation; a 200
// with other words (a menu) told the person nothing was recorded.
func yesAcknowledged(a answer, expected string) bool {
	if a.status != http.StatusOK {
		return false
	}
	doc, err := readTwiML(a.body)
	return err == nil && strings.Contains(doc.message(), expected)
}

// ivrAcknowledged: a key press is acknowledged by TwiML that speaks the flows' confirmation;
// the voice webhook always answers 200, with an apology when it could not record.
func ivrAcknowledged(a answer, expected string) bool {
	if a.status != http.StatusOK {
		return false
	}
	doc, err := readTwiML(a.body)
	return err == nil && doc.said(expected)
}

// apiAcknowledged: POST /v1/opt-outs is acknowledged by 201 (recorded), or by 202 whose body
// names the spool entry holding it (DESIGN §5).
func apiAcknowledged(a answer) bool {
	switch a.status {
	case http.StatusCreated:
		return true
	case http.StatusAccepted:
		var body struct {
			SpoolID any `json:"spool_id"`
		}
		if json.Unmarshal(a.body, &body) != nil || body.SpoolID == nil {
			return false
		}
		s, isString := body.SpoolID.(string)
		return !isString || s != ""
	}
	return false
}
