package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/consent/spool"
	"github.com/optin/optin/fixtures"
)

// The API's spool is the real one.
var _ api.Spool = (*spool.Spool)(nil)

// spooledEnv is the API with a spool, over a database behind a proxy the test breaks.
func spooledEnv(t *testing.T) (*apiEnv, *pgtest.Proxy, *spool.Spool) {
	t.Helper()
	proxy, dbURL := pgtest.NewProxy(t, pgtest.NewURL(t))
	store, err := postgres.Open(context.Background(), dbURL)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	sp, err := spool.Open(t.TempDir(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { sp.Close() })
	e := &apiEnv{t: t, store: store, keys: map[string]string{}, keyIDs: map[string]int64{},
		businesses: map[string]consent.Business{}, spec: newSpecChecker(t)}
	b, err := consent.ParseBusinessFile(strings.NewReader(string(fixtures.DemoBusiness)))
	require.NoError(t, err)
	_, err = store.ApplyBusiness(context.Background(), b)
	require.NoError(t, err)
	key, k, err := store.CreateAPIKey(context.Background(), b.ID, "tests")
	require.NoError(t, err)
	e.keys[b.ID], e.keyIDs[b.ID], e.businesses[b.ID] = key, k.ID, b
	opts := api.Options{RateLimit: -1, Spool: sp, RequestTimeout: 2 * time.Second, KeyCacheTTL: time.Millisecond}
	e.server = httptest.NewServer(newEngine(store, slog.New(slog.NewTextHandler(t.Output(), nil)), opts))
	t.Cleanup(e.server.Close)
	return e, proxy, sp
}

func TestAnAPIOptOutWhileTheDatabaseIsDownIsSpooledAndRecordedOnce(t *testing.T) {
	for _, fault := range []struct {
		name   string
		break_ func(*pgtest.Proxy)
	}{{"refusing", (*pgtest.Proxy).Refuse}, {"hung", (*pgtest.Proxy).Freeze}} {
		t.Run(fault.name, func(t *testing.T) {
			e, proxy, sp := spooledEnv(t)
			require.Equal(t, http.StatusOK, e.get(acme, "/v1/categories").Status, "the key is known")
			time.Sleep(5 * time.Millisecond) // its cached verdict expires: the store is asked again
			fault.break_(proxy)

			r := e.post(acme, "/v1/opt-outs", map[string]any{"phone": "+14155550101"}, "Idempotency-Key", "k-spooled")
			require.Equal(t, http.StatusAccepted, r.Status, "%s", r.Body)
			id, _ := r.JSON(t)["spool_id"].(string)
			assert.True(t, strings.HasPrefix(id, "sp_"), "the answer names the spooled opt-out: %s", r.Body)
			optIn := e.post(acme, "/v1/opt-ins", map[string]any{"phone": "+14155550102", "categories": []string{"offers"},
				"channel": "web", "disclosure": goodWebDisclosure})
			assert.Equal(t, http.StatusServiceUnavailable, optIn.Status, "an opt-in is never promised without the ledger: %s", optIn.Body)
			assert.Equal(t, "unavailable", optIn.ErrorCode(t))

			proxy.Heal()
			ctx, cancel := context.WithCancel(context.Background())
			go sp.Run(ctx, spool.Replayer{Store: e.store, Kinds: map[string]spool.Rebuild{spool.KindEvents: spool.RebuildEvents},
				MaxBackoff: 50 * time.Millisecond})
			require.Eventually(t, func() bool { return sp.Stats().Depth == 0 }, 30*time.Second, 10*time.Millisecond)
			cancel()

			retried := e.post(acme, "/v1/opt-outs", map[string]any{"phone": "+14155550101"}, "Idempotency-Key", "k-spooled")
			require.Equal(t, http.StatusCreated, retried.Status)
			evs, err := e.store.Evidence(context.Background(), acme, "+14155550101")
			require.NoError(t, err)
			assert.Len(t, evs, 3, "one opt-out per category: the client's retry with its key recorded nothing twice")
		})
	}
}
