package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
)

// countingStore counts the store calls that authenticating a request could make, and the
// look-ups of one phone.
type countingStore struct {
	api.Store
	verifies   atomic.Int64
	businesses atomic.Int64
	lookups    atomic.Int64
}

func (s *countingStore) ConsentsOf(ctx context.Context, businessID, phone string) ([]consent.Consent, error) {
	s.lookups.Add(1)
	return s.Store.ConsentsOf(ctx, businessID, phone)
}

func (s *countingStore) VerifyAPIKey(ctx context.Context, plaintext string) (consent.APIKey, error) {
	s.verifies.Add(1)
	return s.Store.VerifyAPIKey(ctx, plaintext)
}

func (s *countingStore) Business(ctx context.Context, id string) (consent.Business, error) {
	s.businesses.Add(1)
	return s.Store.Business(ctx, id)
}

func (s *countingStore) calls() int64 { return s.verifies.Load() + s.businesses.Load() }

// countedServer serves the API of e over a store that counts its calls.
func countedServer(t *testing.T, e *apiEnv, opts api.Options) (*httptest.Server, *countingStore) {
	t.Helper()
	store := &countingStore{Store: e.store}
	opts.RateLimit = -1
	srv := httptest.NewServer(newEngine(store, slog.New(slog.DiscardHandler), opts))
	t.Cleanup(srv.Close)
	return srv, store
}

// getWithKey asks srv for path with key and returns the status.
func getWithKey(t *testing.T, srv *httptest.Server, key, path string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

func TestAPhoneLookUpWithAKnownKeyIsOneStoreCall(t *testing.T) {
	e := newEnv(t)
	srv, store := countedServer(t, e, api.Options{KeyCacheTTL: time.Hour})
	require.Equal(t, http.StatusOK, getWithKey(t, srv, e.keys[acme], "/v1/categories"))
	require.EqualValues(t, 2, store.calls(), "the first request looks the key and its business up")

	for range 50 {
		require.Equal(t, http.StatusOK, getWithKey(t, srv, e.keys[acme], "/v1/consents/%2B14155550100"))
	}
	require.EqualValues(t, 2, store.calls(), "later requests are authenticated from memory")
	require.EqualValues(t, 50, store.lookups.Load(), "and each reads the phone's consents once")
}

func TestABurstOfRequestsWithANewKeyLooksItUpOnce(t *testing.T) {
	e := newEnv(t)
	srv, store := countedServer(t, e, api.Options{KeyCacheTTL: time.Hour})
	var wg sync.WaitGroup
	statuses := make(chan int, 20)
	for range 20 {
		wg.Go(func() { statuses <- getWithKey(t, srv, e.keys[acme], "/v1/categories") })
	}
	wg.Wait()
	close(statuses)
	for status := range statuses {
		require.Equal(t, http.StatusOK, status)
	}
	require.EqualValues(t, 1, store.verifies.Load())
	require.EqualValues(t, 1, store.businesses.Load())
}

func TestARevokedKeyIsRefusedWithinASecond(t *testing.T) {
	e := newEnv(t)
	srv, _ := countedServer(t, e, api.Options{}) // the default cache time
	plaintext, k, err := e.store.CreateAPIKey(context.Background(), acme, "soon revoked")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, getWithKey(t, srv, plaintext, "/v1/categories"))

	require.NoError(t, e.store.RevokeAPIKey(context.Background(), k.ID))
	require.Eventually(t, func() bool {
		return getWithKey(t, srv, plaintext, "/v1/categories") == http.StatusUnauthorized
	}, 5*time.Second, 50*time.Millisecond, "the revocation reaches the replica once its entry expires")
	require.Equal(t, http.StatusOK, getWithKey(t, srv, e.keys[acme], "/v1/categories"), "other keys keep working")
}

func TestAKeyCreatedAfterAWrongOneWasTriedWorksAtOnce(t *testing.T) {
	e := newEnv(t)
	srv, _ := countedServer(t, e, api.Options{})
	require.Equal(t, http.StatusUnauthorized, getWithKey(t, srv, "optin_0000000000000000000000000000000000000000", "/v1/categories"))
	plaintext, _, err := e.store.CreateAPIKey(context.Background(), globex, "new")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, getWithKey(t, srv, plaintext, "/v1/categories"))
}
