package api_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/fixtures"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	pgtest.Main(m)
}

// globexFile is the second business of the tests. It shares the category key order_updates
// with the demo business, so a leak between them would show, and revokes globally.
const globexFile = `
id: globex
name: Globex Corporation
help: "Call 1-800-555-0199"
numbers: ["+14155550199"]
revocation: global
categories:
  - {key: order_updates, label: order updates, keyword: ORDERS, digit: 1, frequency: "up to 3 messages per order"}
  - {key: newsletter, label: monthly newsletter, keyword: NEWS, digit: 2, frequency: "1 message a month"}
`

// Business ids of the tests.
const (
	acme   = "acme"
	globex = "globex"
	nobody = "" // a request without a key
)

// testNow is the clock of the API under test.
var testNow = time.Date(2025, 4, 11, 12, 0, 0, 0, time.UTC)

// apiEnv is a running API over a fresh database holding acme and globex, one key each.
type apiEnv struct {
	t          testing.TB
	store      *postgres.Store
	server     *httptest.Server
	keys       map[string]string // business → plaintext key
	keyIDs     map[string]int64  // business → key id
	businesses map[string]consent.Business
	spec       *specChecker
}

// newEnv starts the API; adjust changes its options.
func newEnv(t testing.TB, adjust ...func(*api.Options)) *apiEnv {
	t.Helper()
	store := postgres.NewStore(pgtest.NewDB(t), postgres.WithClock(func() time.Time { return testNow }))
	e := &apiEnv{t: t, store: store, keys: map[string]string{}, keyIDs: map[string]int64{},
		businesses: map[string]consent.Business{}, spec: newSpecChecker(t)}
	for _, file := range []string{string(fixtures.DemoBusiness), globexFile} {
		b, err := consent.ParseBusinessFile(strings.NewReader(file))
		require.NoError(t, err)
		_, err = store.ApplyBusiness(context.Background(), b)
		require.NoError(t, err)
		key, k, err := store.CreateAPIKey(context.Background(), b.ID, "tests")
		require.NoError(t, err)
		e.keys[b.ID], e.keyIDs[b.ID], e.businesses[b.ID] = key, k.ID, b
	}
	// The clock stands still, so a rate limit would never refill: tests of it set their own.
	opts := api.Options{Clock: func() time.Time { return testNow }, CursorSecret: []byte("test cursor secret"), RateLimit: -1}
	for _, f := range adjust {
		f(&opts)
	}
	e.server = httptest.NewServer(newEngine(store, slog.New(slog.NewTextHandler(t.Output(), nil)), opts))
	t.Cleanup(e.server.Close)
	return e
}

// newEngine wires the API the way the service does.
func newEngine(store api.Store, logger *slog.Logger, opts api.Options) *gin.Engine {
	r := gin.New()
	r.Use(gin.Recovery())
	r.HandleMethodNotAllowed = true
	r.NoRoute(api.NoRoute)
	r.NoMethod(api.NoMethod)
	api.NewHandler(store, logger, opts).Register(r)
	return r
}

// reply is one answer of the API.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as JSON into a generic value.
func (r reply) JSON(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &v), "body %s", r.Body)
	return v
}

// ErrorCode is error.code of an error answer.
func (r reply) ErrorCode(t *testing.T) string {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	require.NoError(t, json.Unmarshal(r.Body, &body), "body %s", r.Body)
	return body.Error.Code
}

// request builds a request as business (nobody for none) with an optional JSON body.
func (e *apiEnv) request(business, method, path string, body any) *http.Request {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, ok := body.(string)
		if !ok {
			b, err := json.Marshal(body)
			require.NoError(e.t, err)
			raw = string(b)
		}
		rd = strings.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.server.URL+path, rd)
	require.NoError(e.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if business != nobody {
		req.Header.Set("Authorization", "Bearer "+e.keys[business])
	}
	return req
}

// do sends req, reads the whole answer and checks it against the OpenAPI document.
func (e *apiEnv) do(req *http.Request) reply {
	e.t.Helper()
	res, err := e.server.Client().Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	r := reply{Status: res.StatusCode, Header: res.Header, Body: body}
	e.spec.check(req, r)
	return r
}

func (e *apiEnv) get(business, path string) reply {
	e.t.Helper()
	return e.do(e.request(business, http.MethodGet, path, nil))
}

func (e *apiEnv) post(business, path string, body any, header ...string) reply {
	e.t.Helper()
	req := e.request(business, http.MethodPost, path, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(req)
}

// record stores events straight in the ledger, as the channels would.
func (e *apiEnv) record(events ...consent.Event) []consent.Event {
	e.t.Helper()
	stored, err := e.store.Record(context.Background(), events)
	require.NoError(e.t, err)
	return stored
}

// optedIn is an IVR opt-in of phone to category of business at the given time.
func (e *apiEnv) optedIn(business, phone, category string, at time.Time) consent.Event {
	d := consent.NewDisclosure(business, consent.ChannelIVR, "en-US", "Press 1 to get "+category+" from "+business+" on WhatsApp.")
	return consent.Event{BusinessID: business, Phone: phone, Category: category, Action: consent.ActionOptIn,
		Channel: consent.ChannelIVR, Reason: consent.ReasonKeypress, Input: "1", ProviderRef: "CA" + rand.Text(),
		Disclosure: &d, OccurredAt: at, IdempotencyKey: "test:" + rand.Text()}
}

// optedOut is an SMS opt-out of phone from category of business at the given time.
func (e *apiEnv) optedOut(business, phone, category string, at time.Time) consent.Event {
	return consent.Event{BusinessID: business, Phone: phone, Category: category, Action: consent.ActionOptOut,
		Channel: consent.ChannelSMS, Reason: consent.ReasonKeyword, Input: "STOP", ProviderRef: "SM" + rand.Text(),
		OccurredAt: at, IdempotencyKey: "test:" + rand.Text()}
}

// jsonUnmarshal decodes one JSON document held in a string.
func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
