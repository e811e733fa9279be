package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/api"
)

// fromAddress sends GET /v1/categories with key, as a client at addr behind a proxy.
func (e *apiEnv) fromAddress(addr, key string) reply {
	e.t.Helper()
	req := e.request(nobody, http.MethodGet, "/v1/categories", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("X-Forwarded-For", addr)
	return e.do(req)
}

func TestGuessingKeysFromOneAddressIsThrottled(t *testing.T) {
	// Verified keys are remembered for the whole test, however slow the machine.
	e := newEnv(t, func(o *api.Options) { o.KeyCacheTTL = time.Hour })
	const guesser, neighbour, other = "198.51.100.7", "198.51.100.7", "203.0.113.50"
	require.Equal(t, http.StatusOK, e.fromAddress(neighbour, e.keys[acme]).Status, "a real key, verified just before")

	for i := range 20 {
		r := e.fromAddress(guesser, "optin_guess_"+strconv.Itoa(i))
		require.Equal(t, http.StatusUnauthorized, r.Status, "guess %d is answered 401 within the burst", i)
	}
	r := e.fromAddress(guesser, "optin_guess_next")
	require.Equal(t, http.StatusTooManyRequests, r.Status, "past the burst, guesses are refused before any look-up")
	assert.Equal(t, "rate_limited", r.ErrorCode(t))
	wait, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.Positive(t, wait)

	assert.Equal(t, http.StatusOK, e.fromAddress(neighbour, e.keys[acme]).Status,
		"a key this replica verified moments ago still works from the throttled address")
	assert.Equal(t, http.StatusUnauthorized, e.fromAddress(other, "optin_guess_elsewhere").Status,
		"another address has its own failures")
}
