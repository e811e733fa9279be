package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
)

// storeBehindProxy returns a store holding the demo business that reaches its database
// through a proxy the test can freeze.
func storeBehindProxy(t *testing.T) (*postgres.Store, *pgtest.Proxy) {
	t.Helper()
	proxy, url := pgtest.NewProxy(t, pgtest.NewURL(t))
	s, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.ApplyBusiness(context.Background(), acme(t))
	require.NoError(t, err)
	return s, proxy
}

// returnsWhileFrozen runs call with a short deadline against a frozen database and reports
// whether it returned before the database answered again. The database is healed after a
// long watchdog either way, so a call that waits for it returns and the test fails instead
// of hanging.
func returnsWhileFrozen(t *testing.T, proxy *pgtest.Proxy, call func(ctx context.Context) error) (returned bool, err error) {
	t.Helper()
	proxy.Freeze()
	healed := make(chan struct{})
	watchdog := time.AfterFunc(30*time.Second, func() { proxy.Heal(); close(healed) })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = call(ctx)
	returned = watchdog.Stop()
	if !returned {
		<-healed
	}
	proxy.Heal()
	return returned, err
}

func TestCallsOnAHungDatabaseEndWithTheirContextAndThePoolRecovers(t *testing.T) {
	s, proxy := storeBehindProxy(t)
	ctx := context.Background()
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"a STOP's write", func(ctx context.Context) error {
			_, err := s.Commit(ctx, stopWrite("+14155550101", "offers", "hung:stop"))
			return err
		}},
		{"a consent lookup", func(ctx context.Context) error {
			_, err := s.ConsentsOf(ctx, "acme", "+14155550101")
			return err
		}},
		{"a business lookup", func(ctx context.Context) error {
			_, err := s.BusinessByNumber(ctx, "+14155550100")
			return err
		}},
		{"a ping", s.Ping},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, c.call(ctx), "the call works before the database hangs")
			before := proxy.Accepted()
			returned, err := returnsWhileFrozen(t, proxy, c.call)
			assert.True(t, returned, "the call returned while the database hung")
			assert.Error(t, err, "a call the database never answered fails")
			require.NoError(t, c.call(ctx), "the same call works once the database answers again")
			assert.Greater(t, proxy.Accepted(), before, "the connection that outlived its call was closed, not reused")
		})
	}
}

func TestAWriteCutOffByAHungDatabaseIsRecordedOnceWhenRetriedWithItsKey(t *testing.T) {
	s, proxy := storeBehindProxy(t)
	ctx := context.Background()
	write := stopWrite("+14155550102", "offers", "hung:retried")
	returned, err := returnsWhileFrozen(t, proxy, func(ctx context.Context) error {
		_, err := s.Commit(ctx, write)
		return err
	})
	require.True(t, returned)
	require.Error(t, err)
	_, err = s.Commit(ctx, write)
	require.NoError(t, err)
	evs, err := s.Evidence(ctx, "acme", "+14155550102")
	require.NoError(t, err)
	assert.Len(t, evs, 1, "the write whose outcome was unknown and its retry are one event")
	cs, err := s.ConsentsOf(ctx, "acme", "+14155550102")
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, consent.StatusOptedOut, cs[0].Status)
}
