package twilio

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/fixtures"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	pgtest.Main(m)
}

// The real store is what the edge is written against.
var _ Store = (*postgres.Store)(nil)

// The phones and numbers of the recorded payloads.
const (
	caller     = "+14155552671"
	acmeNumber = "+15005550006"
)

// t0 is when the tests' Twilio requests arrive.
var t0 = time.Date(2025, 6, 2, 15, 4, 5, 0, time.UTC)

// env is the Twilio edge over a fresh database holding the demo business, behind a real
// Gin router, with a clock the test controls.
type env struct {
	t        *testing.T
	store    *postgres.Store
	router   *gin.Engine
	clock    *fakeClock
	business consent.Business
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.NewDB(t)
	clock := &fakeClock{t: t0}
	store := postgres.NewStore(db, postgres.WithClock(clock.now))
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	require.NoError(t, err)
	_, err = store.ApplyBusiness(context.Background(), b)
	require.NoError(t, err)
	h := NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken, Clock: clock.now}, store, nil)
	return &env{t: t, store: store, router: newTestRouter(h), clock: clock, business: b}
}

// post sends a signed webhook to path with form.
func (e *env) post(path string, form url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	return serve(e.router, webhook{path: path, form: form}.signed())
}

// twiml checks a TwiML answer and returns its tree.
func (e *env) twiml(res *httptest.ResponseRecorder) node {
	e.t.Helper()
	require.Equal(e.t, http.StatusOK, res.Code, res.Body.String())
	require.Equal(e.t, "text/xml", res.Header().Get("Content-Type"))
	return parseTwiML(e.t, res.Body.String())
}

// events returns the ledger of phone with acme, oldest first.
func (e *env) events(phone string) []consent.Event {
	e.t.Helper()
	evs, err := e.store.Evidence(context.Background(), "acme", phone)
	require.NoError(e.t, err)
	return evs
}

// statuses returns the current consent of phone with acme, by category.
func (e *env) statuses(phone string) map[string]consent.Status {
	e.t.Helper()
	cs, err := e.store.ConsentsOf(context.Background(), "acme", phone)
	require.NoError(e.t, err)
	out := map[string]consent.Status{}
	for _, c := range cs {
		out[c.Category] = c.Status
	}
	return out
}

// recorded is the part of a ledger event a scenario asserts.
type recorded struct {
	Category string
	Action   consent.Action
	Channel  consent.Channel
	Reason   consent.Reason
	Input    string
	Ref      string
}

// summary reduces events to what scenarios assert.
func summary(evs []consent.Event) []recorded {
	var out []recorded
	for _, e := range evs {
		out = append(out, recorded{e.Category, e.Action, e.Channel, e.Reason, e.Input, e.ProviderRef})
	}
	return out
}

// says returns the texts of every <Say> in a tree, in document order.
func says(n node) []string {
	var out []string
	if n.Name == "Say" {
		out = append(out, n.Text)
	}
	for _, c := range n.Children {
		out = append(out, says(c)...)
	}
	return out
}

// names returns the element names of n's children: the shape of a response.
func names(n node) []string {
	out := make([]string, 0, len(n.Children))
	for _, c := range n.Children {
		out = append(out, c.Name)
	}
	return out
}

// stepPath is the path of the step route for a step token, as the action URLs carry it.
func stepPath(token string) string { return "/twilio/voice/step?s=" + url.QueryEscape(token) }

// pathOf strips the public base from an absolute URL the service wrote into TwiML.
func pathOf(t *testing.T, abs string) string {
	t.Helper()
	u, err := url.Parse(abs)
	require.NoError(t, err)
	require.Equal(t, testPublicURL, u.Scheme+"://"+u.Host, "URLs in TwiML point at the public URL")
	return u.RequestURI()
}
