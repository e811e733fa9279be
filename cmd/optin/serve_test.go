package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
)

func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	ctx, stop := context.WithCancel(context.Background())
	addrc, done := make(chan string, 1), make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- listenAndServe(ctx, "127.0.0.1:0", slow, logger, func(a string) { addrc <- a }) }()
	addr := <-addrc

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	stop() // SIGTERM arrives while the request is in flight
	time.Sleep(100 * time.Millisecond)
	_, err := http.Get("http://" + addr + "/new")
	assert.Error(t, err, "no new connections are accepted once shutdown starts")
	close(release)
	r := <-got
	require.NoError(t, r.err)
	assert.Equal(t, "finished", r.body, "the in-flight request completed")
	assert.NoError(t, <-done)
}

func TestReadyzFailsWhileTheSchemaIsNotCurrent(t *testing.T) {
	store, err := postgres.Open(context.Background(), pgtest.ServerURL(t))
	require.NoError(t, err)
	defer store.Close()
	cfg, err := loadConfig(envOf(nil))
	require.NoError(t, err)
	engine := newEngine(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)))

	get := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return w
	}
	w := get()
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Contains(t, w.Body.String(), "schema not current")

	_, err = postgres.Migrate(context.Background(), store.DB().DB)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get().Code, "ready once migrated")

	store.Close()
	w = get()
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Contains(t, w.Body.String(), `"database":"unreachable"`)
}
