package webhooks_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres"
)

func TestTwoDispatchersOverOneDatabaseNeverDeliverTheSameEventTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("races dispatchers for many rounds")
	}
	const rounds, endpoints, perRound = 10, 3, 30
	e := newHookEnv(t)
	receivers := make([]*receiver, endpoints)
	for i := range receivers {
		receivers[i] = newReceiver(t, nil)
		e.register(receivers[i])
	}
	// Two replicas: pools of their own over one database, each with its dispatcher.
	for range 2 {
		store, err := postgres.Open(context.Background(), e.url)
		require.NoError(t, err)
		t.Cleanup(func() { store.Close() })
		opts := e.fastOptions()
		opts.PerLease = 5 // let endpoints go often, so the replicas keep taking them from each other
		e.dispatch(store, opts)
	}
	var want []int64
	for round := range rounds {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range 3 {
			wg.Go(func() {
				got := e.optOuts(perRound / 3)
				mu.Lock()
				want = append(want, got...)
				mu.Unlock()
			})
		}
		wg.Wait()
		for i, r := range receivers {
			r.waitAccepted(len(want))
			require.Equal(t, len(want), len(r.requests()), "round %d, endpoint %d: every event once", round, i)
		}
	}
	sortInt64s(want)
	for i, r := range receivers {
		assert.Equal(t, want, r.accepted(), "endpoint %d gets the ledger in order", i)
		assert.Zero(t, r.overlaps, "endpoint %d never gets one message twice at once", i)
	}
}
