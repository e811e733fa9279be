package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/api"
)

func TestRequestsWithoutAValidKeyAreRefused(t *testing.T) {
	e := newEnv(t)
	revoked, k, err := e.store.CreateAPIKey(context.Background(), acme, "old")
	require.NoError(t, err)
	require.NoError(t, e.store.RevokeAPIKey(context.Background(), k.ID))
	tests := []struct {
		name   string
		header string
	}{
		{"no Authorization header", ""},
		{"basic auth", "Basic YWNtZTpzZWNyZXQ="},
		{"a bearer scheme with no key", "Bearer "},
		{"a key that was never issued", "Bearer optin_0000000000000000000000000000000000000000"},
		{"a revoked key", "Bearer " + revoked},
		{"a key with one character changed", "Bearer " + e.keys[acme][:len(e.keys[acme])-1] + "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := e.request(nobody, http.MethodGet, "/v1/categories", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			r := e.do(req)
			require.Equal(t, http.StatusUnauthorized, r.Status)
			require.Equal(t, "unauthorized", r.ErrorCode(t))
			require.Contains(t, r.Header.Get("WWW-Authenticate"), "Bearer")
		})
	}
	lower := e.request(nobody, http.MethodGet, "/v1/categories", nil)
	lower.Header.Set("Authorization", "bearer "+e.keys[acme])
	require.Equal(t, http.StatusOK, e.do(lower).Status, "the scheme is case-insensitive")
}

func TestKeyUseIsRecorded(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, http.StatusOK, e.get(acme, "/v1/categories").Status)
	keys, err := e.store.APIKeys(context.Background(), acme)
	require.NoError(t, err)
	require.NotNil(t, keys[0].LastUsedAt)
	require.True(t, testNow.Equal(*keys[0].LastUsedAt))
}

func TestAKeyOverItsRateLimitIsToldWhenToRetry(t *testing.T) {
	e := newEnv(t, func(o *api.Options) { o.RateLimit, o.RateBurst = 0.5, 2 }) // the clock stands still
	for range 2 {
		require.Equal(t, http.StatusOK, e.get(acme, "/v1/categories").Status)
	}
	r := e.get(acme, "/v1/categories")
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.Equal(t, "rate_limited", r.ErrorCode(t))
	require.Equal(t, "2", r.Header.Get("Retry-After"), "one request every two seconds")
	require.Equal(t, http.StatusOK, e.get(globex, "/v1/categories").Status, "another key keeps its own budget")
}

func TestErrorsKeepOneShape(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		method string
		path   string
		status int
		code   string
	}{
		{"an unknown route", http.MethodGet, "/v1/nothing-here", 404, "not_found"},
		{"an unknown route outside the API", http.MethodGet, "/", 404, "not_found"},
		{"a known route with another method", http.MethodDelete, "/v1/consents", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(e.request(acme, tt.method, tt.path, nil))
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			require.Equal(t, tt.code, r.ErrorCode(t))
			require.Equal(t, "application/json; charset=utf-8", r.Header.Get("Content-Type"))
		})
	}
}

func TestAFailingDatabaseAnswers503WithoutDetails(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.store.Close())
	r := e.get(acme, "/v1/categories")
	require.Equal(t, http.StatusServiceUnavailable, r.Status)
	require.Equal(t, "unavailable", r.ErrorCode(t))
	require.Equal(t, "1", r.Header.Get("Retry-After"), "the client is told when to retry")
	require.NotContains(t, string(r.Body), "sql")
}

func TestTheSpecIsServed(t *testing.T) {
	e := newEnv(t)
	r := e.get(nobody, "/openapi.yaml")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "application/yaml", r.Header.Get("Content-Type"))
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
}
