package webhooks_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/consent/webhooks"
	"github.com/optin/optin/fixtures"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// arrival bounds how long a test waits for webhooks it expects: generous, since the machine
// may be busy; nothing in these tests depends on deliveries being fast.
const arrival = 30 * time.Second

// hookEnv is a database holding the demo business, a registry and a sealer over it.
type hookEnv struct {
	t        testing.TB
	url      string
	store    *postgres.Store
	sealer   *webhooks.Sealer
	registry *webhooks.Registry
}

func newHookEnv(t testing.TB) *hookEnv {
	t.Helper()
	url := pgtest.NewURL(t)
	store, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	require.NoError(t, err)
	_, err = store.ApplyBusiness(context.Background(), b)
	require.NoError(t, err)
	key := make([]byte, webhooks.KeySize)
	rand.Read(key)
	sealer, err := webhooks.NewSealer(key)
	require.NoError(t, err)
	return &hookEnv{t: t, url: url, store: store, sealer: sealer,
		registry: webhooks.NewRegistry(store, sealer, webhooks.AddressPolicy{AllowPrivate: true})}
}

// fastOptions are dispatcher options for tests: quick polls and retries, short timeouts.
func (e *hookEnv) fastOptions() webhooks.Options {
	return webhooks.Options{Sealer: e.sealer, Addresses: webhooks.AddressPolicy{AllowPrivate: true},
		PollInterval: 20 * time.Millisecond, AttemptTimeout: 2 * time.Second,
		Backoff: webhooks.Backoff{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}}
}

// dispatch runs a dispatcher over store until the test ends.
func (e *hookEnv) dispatch(store webhooks.Store, opts webhooks.Options) *webhooks.Dispatcher {
	e.t.Helper()
	d := webhooks.New(store, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	e.t.Cleanup(func() { cancel(); <-done })
	return d
}

// register creates an endpoint for r and hands r its secret.
func (e *hookEnv) register(r *receiver, events ...string) consent.WebhookEndpoint {
	e.t.Helper()
	var names []string
	if len(events) > 0 {
		names = events
	}
	w, secret, err := e.registry.Create(context.Background(), "acme", r.server.URL+"/hook", names)
	require.NoError(e.t, err)
	r.setSecret(secret)
	return w
}

// optOuts records n opt-outs of acme, each of a person of its own, and returns their ids in
// ledger order.
func (e *hookEnv) optOuts(n int) []int64 {
	e.t.Helper()
	var ids []int64
	for i := range n {
		stored, err := e.store.Record(context.Background(), []consent.Event{{
			BusinessID: "acme", Phone: fmt.Sprintf("+1415555%04d", i%10000), Category: "offers", Action: consent.ActionOptOut,
			Channel: consent.ChannelSMS, Reason: consent.ReasonKeyword, Input: "STOP", ProviderRef: "SM" + rand.Text(),
			OccurredAt: time.Now(), IdempotencyKey: "test:" + rand.Text()}})
		require.NoError(e.t, err)
		ids = append(ids, stored[0].ID)
	}
	return ids
}

// received is one request a receiver got.
type received struct {
	ID     string          // webhook-id
	Type   string          // the body's type
	DataID int64           // the event's or signal's id
	Data   json.RawMessage // the event or signal
	Status int             // what the receiver answered; 0 while it has not yet
}

// receiver is a webhook receiver on 127.0.0.1 that checks every signature with verify and
// answers what answer says about the nth request (0-based); a nil answer is 200.
type receiver struct {
	t      testing.TB
	server *httptest.Server
	answer func(n int, r received, req *http.Request) int

	mu       sync.Mutex
	secret   string
	got      []received
	inFlight map[string]bool
	overlaps int // requests that came while another with the same webhook-id was under way
}

func newReceiver(t *testing.T, answer func(n int, r received, req *http.Request) int) *receiver {
	t.Helper()
	r := &receiver{t: t, answer: answer, inFlight: map[string]bool{}}
	r.server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.server.Close)
	return r
}

func (r *receiver) setSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	r.mu.Lock()
	secret := r.secret
	r.mu.Unlock()
	if err := verify(secret, req.Header, body, time.Now()); err != nil {
		r.t.Errorf("a webhook does not verify: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var m struct {
		ID   string          `json:"id"`
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		r.t.Errorf("a webhook body is not JSON: %s", body)
		return
	}
	var data struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal(m.Data, &data)
	if m.ID != req.Header.Get("webhook-id") {
		r.t.Errorf("body id %q differs from webhook-id %q", m.ID, req.Header.Get("webhook-id"))
	}
	got := received{ID: m.ID, Type: m.Type, DataID: data.ID, Data: m.Data}
	r.mu.Lock()
	n := len(r.got)
	if r.inFlight[got.ID] {
		r.overlaps++
	}
	r.inFlight[got.ID] = true
	r.got = append(r.got, got)
	r.mu.Unlock()
	got.Status = http.StatusOK
	if r.answer != nil {
		got.Status = r.answer(n, got, req)
	}
	r.mu.Lock()
	r.got[n].Status = got.Status
	delete(r.inFlight, got.ID)
	r.mu.Unlock()
	w.WriteHeader(got.Status)
}

// requests returns every request so far, in arrival order.
func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// accepted returns the data ids of the requests answered 2xx, in arrival order.
func (r *receiver) accepted() []int64 {
	var ids []int64
	for _, g := range r.requests() {
		if g.Status/100 == 2 {
			ids = append(ids, g.DataID)
		}
	}
	return ids
}

// waitAccepted waits until n requests were answered 2xx, and returns their data ids.
func (r *receiver) waitAccepted(n int) []int64 {
	r.t.Helper()
	require.Eventually(r.t, func() bool { return len(r.accepted()) >= n }, arrival, 10*time.Millisecond,
		"the receiver accepted %d webhooks, not %d", len(r.accepted()), n)
	return r.accepted()
}

func sortInt64s(s []int64) { slices.Sort(s) }
