package webhooks_test

import (
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
)

// BenchmarkDelivery records events of one business while a dispatcher delivers them to one
// receiver on 127.0.0.1, and reports the delivery rate and the lag from each event's commit
// to its arrival. burst records 10 000 events as fast as the store takes them, so its lag is
// mostly time spent queued behind earlier events; paced records 100 a second, the lag a
// business sees when the dispatcher keeps up.
func BenchmarkDelivery(b *testing.B) {
	for _, sc := range []struct {
		name   string
		events int
		rate   int // events a second; 0 for as fast as the store takes them
	}{{"burst_10000", 10000, 0}, {"paced_100_per_s", 1000, 100}} {
		b.Run(sc.name, func(b *testing.B) {
			for b.Loop() {
				benchDelivery(b, sc.events, sc.rate)
			}
		})
	}
}

// benchBatch is how many events one Record call commits in the burst.
const benchBatch = 100

func benchDelivery(b *testing.B, events, rate int) {
	e := newHookEnv(b)
	a := &arrivals{committed: map[int64]time.Time{}, arrived: map[int64]time.Time{}, want: events, done: make(chan struct{})}
	server := httptest.NewServer(http.HandlerFunc(a.serve))
	defer server.Close()
	_, _, err := e.registry.Create(context.Background(), "acme", server.URL+"/hook", []string{"consent.changed"})
	require.NoError(b, err)
	opts := e.fastOptions()
	opts.PollInterval = 200 * time.Millisecond // the service's default
	e.dispatch(e.store, opts)

	batch := benchBatch
	var pause time.Duration
	if rate > 0 {
		batch, pause = 1, time.Second/time.Duration(rate)
	}
	start := time.Now()
	for i := 0; i < events; i += batch {
		evs := make([]consent.Event, 0, batch)
		for j := i; j < min(i+batch, events); j++ {
			evs = append(evs, consent.Event{BusinessID: "acme", Phone: fmt.Sprintf("+1415%07d", j), Category: "offers",
				Action: consent.ActionOptOut, Channel: consent.ChannelSMS, Reason: consent.ReasonKeyword, Input: "STOP",
				ProviderRef: "SM" + rand.Text(), OccurredAt: time.Now(), IdempotencyKey: "bench:" + rand.Text()})
		}
		stored, err := e.store.Record(context.Background(), evs)
		require.NoError(b, err)
		a.commit(stored, time.Now())
		if pause > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(i+1) * pause)))
		}
	}
	select {
	case <-a.done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("only %d of %d events arrived", len(a.arrived), events)
	}
	a.report(b, start)
}

// arrivals keeps when each event was committed and when it arrived.
type arrivals struct {
	mu        sync.Mutex
	committed map[int64]time.Time
	arrived   map[int64]time.Time
	last      time.Time
	want      int
	done      chan struct{}
}

func (a *arrivals) commit(es []consent.Event, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range es {
		a.committed[e.ID] = at
	}
}

func (a *arrivals) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, _ := io.ReadAll(r.Body)
	var m struct {
		Data struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	json.Unmarshal(body, &m)
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, dup := a.arrived[m.Data.ID]; !dup {
		a.arrived[m.Data.ID] = at
		a.last = at
		if len(a.arrived) == a.want {
			close(a.done)
		}
	}
}

// report gives events/s from the first commit to the last arrival, and the lag percentiles.
func (a *arrivals) report(b *testing.B, start time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var lags []time.Duration
	for id, at := range a.arrived {
		lags = append(lags, at.Sub(a.committed[id]))
	}
	slices.Sort(lags)
	pct := func(p float64) float64 { return float64(lags[int(p*float64(len(lags)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(a.arrived))/a.last.Sub(start).Seconds(), "events/s")
	b.ReportMetric(pct(0.50), "lag_p50_ms")
	b.ReportMetric(pct(0.99), "lag_p99_ms")
	b.ReportMetric(pct(1), "lag_max_ms")
}
