package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/optin/optin/cmd/internal/server"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
)

// benchToken is the Twilio auth token the benchmark server verifies and its clients sign with.
const benchToken = "optinbench-token"

// newEngine builds the engine `optin serve` builds (cmd/internal/server), with the API's
// per-key rate limit off: it would measure the limiter, not the service.
func newEngine(publicURL string, store *postgres.Store, logger *slog.Logger) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	return server.NewEngine(server.Config{PublicURL: publicURL, TwilioAuthToken: benchToken,
		API: api.Options{RateLimit: rate.Limit(-1)}}, store, logger)
}

// listenLoopback serves the engine on a free port of 127.0.0.1 with the service's server
// timeouts. It returns the base URL and a function that shuts the server down.
func listenLoopback(store *postgres.Store, logger *slog.Logger) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	base = "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           newEngine(base, store, logger),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on shutdown
	return base, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx) //nolint:errcheck // best effort at the end of a run
	}, nil
}
