package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres"
)

func TestTheServiceDeliversWebhooksAndCountsThemInItsMetrics(t *testing.T) {
	env, _ := webhookCLIEnv(t)
	env["WEBHOOK_ALLOW_PRIVATE"] = "true"
	env["SPOOL_DIR"] = t.TempDir()
	cfg, err := loadConfig(envOf(env))
	require.NoError(t, err)
	store, err := postgres.Open(context.Background(), env["DATABASE_URL"])
	require.NoError(t, err)
	defer store.Close()
	key, _, err := store.CreateAPIKey(context.Background(), "acme", "test")
	require.NoError(t, err)

	var received atomic.Int64
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("webhook-signature") != "" {
			received.Add(1)
		}
	}))
	defer receiver.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveService(ctx, cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), ln, nil) }()
	defer func() { cancel(); require.NoError(t, <-done) }()
	base := "http://" + ln.Addr().String()
	call := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	status, body := call(http.MethodPost, "/v1/webhooks", `{"url":"`+receiver.URL+`/hook"}`)
	require.Equal(t, http.StatusCreated, status, body)
	var created struct{ Secret string }
	require.NoError(t, json.Unmarshal([]byte(body), &created))
	assert.True(t, strings.HasPrefix(created.Secret, "whsec_"))
	status, body = call(http.MethodPost, "/v1/opt-outs", `{"phone":"+14155550142"}`)
	require.Equal(t, http.StatusCreated, status, body)
	require.Eventually(t, func() bool { return received.Load() >= 3 }, 30*time.Second, 10*time.Millisecond,
		"the opt-outs of the three categories arrive")

	metrics := func() string { _, m := call(http.MethodGet, "/metrics", ""); return m }
	require.Eventually(t, func() bool {
		return strings.Contains(metrics(), `optin_webhook_attempts_total{outcome="delivered"} 3`)
	}, 30*time.Second, 10*time.Millisecond)
	m := metrics()
	assert.Equal(t, int64(3), received.Load(), "each once")
	assert.Contains(t, m, "optin_webhook_queue_depth 0")
	assert.Contains(t, m, "optin_webhook_oldest_undelivered_seconds 0")
	assert.Contains(t, m, `optin_webhook_attempts_total{outcome="failed_attempt"} 0`)
}
