package webhooks_test

import (
	"context"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/webhooks"
)

// ids returns the webhook-ids of requests.
func ids(rs []received) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func TestEventsArriveSignedOnceEachAndInLedgerOrder(t *testing.T) {
	e := newHookEnv(t)
	before := e.optOuts(3) // recorded before the endpoint existed: never sent to it
	r := newReceiver(t, nil)
	w := e.register(r, "consent.changed")
	e.dispatch(e.store, e.fastOptions())
	var want []int64
	for range 5 {
		want = append(want, e.optOuts(10)...)
	}
	assert.Equal(t, want, r.waitAccepted(len(want)), "every event since the endpoint was made, in ledger order")
	assert.NotContains(t, r.accepted(), before[0])
	got := r.requests()
	assert.Len(t, got, len(want), "each event is sent once")
	seen := map[string]bool{}
	for _, g := range got {
		assert.False(t, seen[g.ID], "webhook-id %s is sent once", g.ID)
		seen[g.ID] = true
		assert.Equal(t, "consent.changed", g.Type)
	}
	var event map[string]any
	require.NoError(t, json.Unmarshal(got[0].Data, &event))
	assert.Equal(t, []string{"action", "category", "channel", "id", "occurred_at", "phone", "reason"}, keys(event), "data is the API's Event")
	assert.Equal(t, "opt_out", event["action"])

	ds := e.settled(t, w.ID, len(want))
	assert.Equal(t, want[len(want)-1], ds[0].EventID, "deliveries are listed newest first")
	assert.Equal(t, 200, ds[0].LastStatusCode)
	assert.Nil(t, ds[0].NextAttemptAt)
}

func keys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func TestSignalsArriveOnTheirOwnStream(t *testing.T) {
	e := newHookEnv(t)
	r := newReceiver(t, nil)
	e.register(r, "signal.recorded")
	e.dispatch(e.store, e.fastOptions())
	e.optOuts(2) // consent events: not this endpoint's stream
	sig, _, err := e.store.RecordSignal(context.Background(), consent.Signal{BusinessID: "acme", Phone: "+14155550101",
		Kind: consent.SignalPlatformStop, Channel: consent.ChannelWhatsApp, Sender: "whatsapp:+15005550006", ErrorCode: "63033",
		ProviderRef: "SM00000000000000000000000000000001"})
	require.NoError(t, err)
	assert.Equal(t, []int64{sig.ID}, r.waitAccepted(1))
	got := r.requests()
	require.Len(t, got, 1)
	assert.Equal(t, "signal.recorded", got[0].Type)
	var s map[string]any
	require.NoError(t, json.Unmarshal(got[0].Data, &s))
	assert.Equal(t, []string{"error_code", "id", "kind", "occurred_at", "phone", "provider_ref", "sender"}, keys(s))
	assert.Equal(t, "platform_stop", s["kind"])
}

func TestAnEventAnswered500IsRetriedWithTheSameIDUntilDelivered(t *testing.T) {
	e := newHookEnv(t)
	r := newReceiver(t, func(n int, _ received, _ *http.Request) int {
		if n < 3 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	w := e.register(r)
	d := e.dispatch(e.store, e.fastOptions())
	want := e.optOuts(2)
	assert.Equal(t, want, r.waitAccepted(2))
	got := r.requests()
	require.Len(t, got, 5, "three failed attempts, then one each")
	assert.Equal(t, []string{got[0].ID, got[0].ID, got[0].ID, got[0].ID}, ids(got[:4]), "every retry carries the same webhook-id")
	assert.NotEqual(t, got[0].ID, got[4].ID)

	ds := e.settled(t, w.ID, 2)
	first := ds[1]
	assert.Equal(t, consent.DeliveryDelivered, first.Status)
	assert.Equal(t, 4, first.Attempts)
	assert.Equal(t, 204, first.LastStatusCode)
	require.Eventually(t, func() bool { return d.Stats() == webhooks.Stats{Delivered: 2, FailedAttempts: 3} }, arrival, 10*time.Millisecond,
		"the dispatcher counts two deliveries and three failed attempts: %+v", d.Stats())
}

func TestAReceiverThatDoesNotAnswerInTimeIsRetried(t *testing.T) {
	e := newHookEnv(t)
	r := newReceiver(t, func(n int, _ received, req *http.Request) int {
		if n == 0 {
			<-req.Context().Done()           // hangs until the dispatcher gives up on the attempt
			return http.StatusGatewayTimeout // never read: noted as not accepted
		}
		return http.StatusOK
	})
	w := e.register(r)
	opts := e.fastOptions()
	opts.AttemptTimeout = 100 * time.Millisecond
	e.dispatch(e.store, opts)
	want := e.optOuts(1)
	assert.Equal(t, want, r.waitAccepted(1))
	got := r.requests()
	require.Len(t, got, 2)
	assert.Equal(t, got[0].ID, got[1].ID)
	ds := e.settled(t, w.ID, 1)
	assert.Equal(t, 2, ds[0].Attempts, "the attempt that timed out counts as one")
}

func TestAReceiverDownForAWhileGetsEverythingInOrderWhenItIsBack(t *testing.T) {
	e := newHookEnv(t)
	// Reserve an address, then leave nothing listening on it: connections are refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	r := &receiver{t: t, inFlight: map[string]bool{}, server: &httptest.Server{URL: "http://" + addr}}
	w := e.register(r)
	e.dispatch(e.store, e.fastOptions())
	want := e.optOuts(20)
	require.Eventually(t, func() bool {
		ds, err := e.registry.Deliveries(context.Background(), "acme", w.ID, 10)
		return err == nil && len(ds) == 1 && ds[0].Attempts >= 3
	}, arrival, 10*time.Millisecond, "the first event is tried again and again, and nothing after it is taken meanwhile")

	ln, err = net.Listen("tcp", addr)
	require.NoError(t, err)
	r.server = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.server.Listener.Close()
	r.server.Listener = ln
	r.server.Start()
	t.Cleanup(r.server.Close)
	assert.Equal(t, want, r.waitAccepted(len(want)))
	assert.Len(t, r.requests(), len(want), "nothing arrives twice")
}

func TestA410DisablesTheEndpoint(t *testing.T) {
	e := newHookEnv(t)
	gone := newReceiver(t, func(int, received, *http.Request) int { return http.StatusGone })
	w := e.register(gone)
	d := e.dispatch(e.store, e.fastOptions())
	e.optOuts(1)
	require.Eventually(t, func() bool { return d.Stats().Disabled == 1 }, arrival, 10*time.Millisecond)
	ws, err := e.registry.List(context.Background(), "acme")
	require.NoError(t, err)
	require.NotNil(t, ws[0].DisabledAt, "the endpoint is disabled")
	assert.Contains(t, ws[0].DisabledReason, "410")
	ds, err := e.registry.Deliveries(context.Background(), "acme", w.ID, 10)
	require.NoError(t, err)
	assert.Equal(t, consent.DeliveryFailed, ds[0].Status)
	assert.Equal(t, 410, ds[0].LastStatusCode)

	// A second endpoint receiving the next event shows the dispatcher polled after it.
	live := newReceiver(t, nil)
	e.register(live)
	next := e.optOuts(1)
	assert.Equal(t, next, live.waitAccepted(1))
	assert.Len(t, gone.requests(), 1, "a disabled endpoint gets nothing more")
}

func TestADeliveryFailingPastTheRetryWindowFailsAndTheEndpointMovesOn(t *testing.T) {
	e := newHookEnv(t)
	var first string
	r := newReceiver(t, func(n int, got received, _ *http.Request) int {
		if n == 0 {
			first = got.ID
		}
		if got.ID == first {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	w := e.register(r)
	opts := e.fastOptions()
	opts.RetryWindow = 1 // every failure is past it
	d := e.dispatch(e.store, opts)
	events := e.optOuts(2)
	assert.Equal(t, events[1:], r.waitAccepted(1))
	ds := e.settled(t, w.ID, 2)
	assert.Equal(t, consent.DeliveryFailed, ds[1].Status)
	assert.Equal(t, 503, ds[1].LastStatusCode)
	require.Eventually(t, func() bool { return d.Stats().GaveUp == 1 }, arrival, 10*time.Millisecond, "one delivery given up")
}

// settled returns the n deliveries of endpoint id, newest first, once the newest is recorded
// delivered: a receiver has an event as soon as it answered, and the dispatcher records the
// answer right after.
func (e *hookEnv) settled(t *testing.T, id int64, n int) []consent.WebhookDelivery {
	t.Helper()
	var ds []consent.WebhookDelivery
	require.Eventually(t, func() bool {
		var err error
		ds, err = e.registry.Deliveries(context.Background(), "acme", id, 100)
		return err == nil && len(ds) == n && ds[0].Status == consent.DeliveryDelivered
	}, arrival, 10*time.Millisecond, "the newest of %d deliveries is recorded delivered", n)
	return ds
}
