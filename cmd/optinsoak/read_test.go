package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/fixtures"
)

func TestAcknowledgementRulesReadTheAnswerAsTheSenderWould(t *testing.T) {
	confirm := `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Acme: you are unsubscribed.</Message></Response>`
	voice := `<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="http://127.0.0.1:1/twilio/voice/step?s=v1.m.0.a0.r1">` +
		`<Say language="en-US">Done. You will no longer get offers.</Say></Gather></Response>`
	apology := `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Sorry, something went wrong.</Say><Hangup/></Response>`
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"an SMS answered 200 is acknowledged", ack(smsAcknowledged(answer{status: 200, body: []byte(confirm)}, "unsubscribed")), true},
		{"an SMS answered 200 with an empty Response is still acknowledged", ack(smsAcknowledged(answer{status: 200, body: []byte(`<Response/>`)}, "")), true},
		{"an SMS answered 503 is not", ack(smsAcknowledged(answer{status: 503}, "unsubscribed")), false},
		{"an SMS without an answer is not", ack(smsAcknowledged(answer{}, "")), false},
		{"a YES answered with the confirmation is acknowledged", yesAcknowledged(answer{status: 200, body: []byte(confirm)}, "unsubscribed"), true},
		{"a YES answered with other words is not", yesAcknowledged(answer{status: 200, body: []byte(confirm)}, "subscribed to offers"), false},
		{"a key press answered with the confirmation is acknowledged", ivrAcknowledged(answer{status: 200, body: []byte(voice)}, "no longer get offers"), true},
		{"a key press answered with the apology is not", ivrAcknowledged(answer{status: 200, body: []byte(apology)}, "no longer get offers"), false},
		{"an API opt-out answered 201 is acknowledged", apiAcknowledged(answer{status: 201, body: []byte(`{"data":[]}`)}), true},
		{"an API opt-out answered 202 with a spool id is acknowledged", apiAcknowledged(answer{status: 202, body: []byte(`{"spool_id":"0001"}`)}), true},
		{"an API opt-out answered 202 without a spool id is not", apiAcknowledged(answer{status: 202, body: []byte(`{}`)}), false},
		{"an API opt-out answered 500 is not", apiAcknowledged(answer{status: 500}), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v", tt.name, tt.got)
		}
	}
}

// ack keeps the first result of smsAcknowledged.
func ack(acked, _ bool) bool { return acked }

func TestSMSAcknowledgementWithOtherWordsIsMarkedUnexpected(t *testing.T) {
	body := []byte(`<Response><Message>Acme: text ORDERS to join.</Message></Response>`)
	if acked, unexpected := smsAcknowledged(answer{status: 200, body: body}, "unsubscribed"); !acked || !unexpected {
		t.Errorf("acked %v, unexpected %v; want true, true", acked, unexpected)
	}
}

func TestMetricValueSumsOnlyTheNamedMetric(t *testing.T) {
	text := []byte("# HELP optin_spool_depth Opt-outs waiting.\n# TYPE optin_spool_depth gauge\n" +
		"optin_spool_depth 3\noptin_spool_depth_total 99\noptin_spool_oldest_age_seconds 12.5\n" +
		"optin_spool_depth{replica=\"b\"} 2\n")
	if v, ok := metricValue(text, "optin_spool_depth"); !ok || v != 5 {
		t.Errorf("metricValue = %v, %v; want 5, true", v, ok)
	}
	if _, ok := metricValue([]byte("optin_http_requests_total 1\n"), "optin_spool_depth"); ok {
		t.Error("found a metric the text does not hold")
	}
}

func TestReadTwiMLFindsMessagesSaysAndTheGather(t *testing.T) {
	doc, err := readTwiML([]byte(`<?xml version="1.0"?><Response><Gather action="http://h/x?s=1&amp;t=2"><Say>One</Say>` +
		`<Say>Two</Say></Gather><Redirect>http://h/x?timeout=1</Redirect></Response>`))
	if err != nil {
		t.Fatal(err)
	}
	if doc.gather != "http://h/x?s=1&t=2" || len(doc.says) != 2 || !doc.said("Two") || doc.message() != "" {
		t.Errorf("doc = %+v", doc)
	}
	if _, err := readTwiML([]byte(`Service Unavailable`)); err == nil {
		t.Error("a body that is no TwiML was read")
	}
}

func TestExpectedRepliesComeFromTheFlowsForTheDemoBusiness(t *testing.T) {
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	if err != nil {
		t.Fatal(err)
	}
	r, err := expectedReplies(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.Categories {
		if r.stopOne[c.Key] == "" || r.disclosure[c.Key] == "" || r.optedIn[c.Key] == "" ||
			r.ivrStopped[c.Digit] == "" || r.ivrOptedIn[c.Digit] == "" {
			t.Errorf("category %s lacks an expected reply: %+v", c.Key, r)
		}
	}
	if r.stopAll == "" || r.ivrStopped[9] == "" || r.ivrStopped[9] == r.ivrStopped[1] {
		t.Errorf("stop replies: %q, %q", r.stopAll, r.ivrStopped[9])
	}
}

func TestLatenciesCountAnUnansweredRequestAsSlowerThanAnyLimit(t *testing.T) {
	t0 := time.Now()
	reqs := []request{
		{sent: t0, latency: time.Second, status: 200},
		{sent: t0.Add(time.Second), latency: 15 * time.Second, status: 0},
		{sent: t0.Add(-5 * time.Second), latency: 12 * time.Second, status: 503}, // sent before, answered during
		{sent: t0.Add(time.Hour), latency: time.Millisecond, status: 200},        // after the window
	}
	sent := latenciesOf(reqs, t0, t0.Add(time.Minute))
	if len(sent) != 2 || sent.percentile(99) != noAnswer || sent.within(10*time.Second) != 1 {
		t.Errorf("sent in the window: %v", sent)
	}
	inFlight := latenciesOverlapping(reqs, t0, t0.Add(time.Minute))
	if len(inFlight) != 3 || inFlight.within(10*time.Second) != 1 {
		t.Errorf("in flight during the window: %v", inFlight)
	}
	if c := latencyAtMost("p99", latenciesOf(nil, t0, t0), 99, time.Second); c.ok {
		t.Error("a window without requests passed")
	}
}
