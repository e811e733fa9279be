package twilio

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/fixtures"
)

// fuzzRouter is the Twilio edge over a real store holding the demo business, for fuzz targets.
func fuzzRouter(f *testing.F) *gin.Engine {
	f.Helper()
	store := postgres.NewStore(pgtest.NewDB(f))
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := store.ApplyBusiness(context.Background(), b); err != nil {
		f.Fatal(err)
	}
	return newTestRouter(NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken}, store, nil))
}

// seedForms adds every recorded payload under fixtures/twilio as a seed, through add.
func seedForms(f *testing.F, prefix string, add func(url.Values)) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "twilio", prefix+"*.form"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no %s fixtures: %v", prefix, err)
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		form, err := url.ParseQuery(strings.TrimSpace(string(raw)))
		if err != nil {
			f.Fatal(err)
		}
		add(form)
	}
}

// noServerError fails the fuzz input when a signed request got a 5xx.
func noServerError(t *testing.T, e *gin.Engine, path string, form url.Values) {
	t.Helper()
	res := serve(e, webhook{path: path, form: form}.signed())
	if res.Code >= http.StatusInternalServerError {
		t.Fatalf("%s answered %d to %q", path, res.Code, form.Encode())
	}
}

// FuzzMessageWebhook sends signed messages with any body, button, id and addresses: whatever
// they hold, the answer is never a 5xx (and never a panic).
func FuzzMessageWebhook(f *testing.F) {
	seedForms(f, "sms-", func(v url.Values) {
		f.Add(v.Get("Body"), v.Get("ButtonPayload"), v.Get("MessageSid"), v.Get("From"), v.Get("To"))
	})
	seedForms(f, "whatsapp-", func(v url.Values) {
		f.Add(v.Get("Body"), v.Get("ButtonPayload"), v.Get("MessageSid"), v.Get("From"), v.Get("To"))
	})
	f.Add("STOP\x00", "STOP PROMOTIONS\xff", "SM\x00", "+14155552671", "+15005550006")
	e := fuzzRouter(f)
	f.Fuzz(func(t *testing.T, body, payload, sid, from, to string) {
		form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {testAccount}, "From": {from}, "To": {to},
			"Body": {body}, "ButtonPayload": {payload}, "NumMedia": {"0"}}
		noServerError(t, e, "/twilio/sms", form)
	})
}

// FuzzStatusWebhook sends signed status callbacks with any id, status, error code and addresses.
func FuzzStatusWebhook(f *testing.F) {
	seedForms(f, "status-", func(v url.Values) { f.Add(v.Get("MessageSid"), v.Get("ErrorCode"), v.Get("From"), v.Get("To")) })
	f.Add("SM\xff", "21610", "+15005550006", "whatsapp:+14155552671")
	e := fuzzRouter(f)
	f.Fuzz(func(t *testing.T, sid, code, from, to string) {
		form := url.Values{"MessageSid": {sid}, "AccountSid": {testAccount}, "From": {from}, "To": {to},
			"MessageStatus": {"undelivered"}, "ErrorCode": {code}}
		noServerError(t, e, "/twilio/status", form)
	})
}

// FuzzVoiceStep posts signed <Gather> actions with any step token, digits and call id; a call
// always hears TwiML with 200.
func FuzzVoiceStep(f *testing.F) {
	seedForms(f, "voice-", func(v url.Values) { f.Add("menu", v.Get("Digits"), v.Get("CallSid"), v.Get("From"), false) })
	f.Add("\x00", "1#*", "CA\xff", "anonymous", true)
	e := fuzzRouter(f)
	f.Fuzz(func(t *testing.T, step, digits, callSid, from string, timeout bool) {
		q := url.Values{queryStep: {step}}
		if timeout {
			q.Set(queryTimeout, "1")
		}
		form := url.Values{"CallSid": {callSid}, "AccountSid": {testAccount}, "From": {from}, "To": {"+15005550006"},
			"Digits": {digits}, "CallStatus": {"in-progress"}, "Direction": {"inbound"}}
		res := serve(e, webhook{path: "/twilio" + voiceStepPath + "?" + q.Encode(), form: form}.signed())
		if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "<Response>") {
			t.Fatalf("a call step answered %d: %s", res.Code, res.Body.String())
		}
	})
}
