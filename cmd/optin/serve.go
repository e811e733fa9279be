package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/optin/optin/consent/postgres"
)

const serveUsage = `serve

Applies pending migrations (safe when replicas start together), then serves the Twilio
webhooks and the business API until SIGTERM or Ctrl-C, letting in-flight requests finish.

Environment: DATABASE_URL (required), HTTP_ADDR (:8080), PUBLIC_URL (http://localhost:PORT of HTTP_ADDR),
TWILIO_AUTH_TOKEN, TWILIO_AUTH_TOKENS (AC…:token,…), SPOOL_DIR (spool), API_RATE (100),
API_BURST (200), TRUSTED_PROXIES, WEBHOOK_SECRET_KEY (base64 of 32 bytes; without it no webhook
is created or delivered), WEBHOOK_ALLOW_PRIVATE (false), LOG_LEVEL (info), LOG_FORMAT (json).
`

func runServe(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("serve", serveUsage)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(c.getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required (for a local throwaway database run 'optin dev')")
	}
	logger := newLogger(c.stderr, cfg)
	return serve(ctx, cfg, logger)
}

// Timeouts of the HTTP server. Twilio gives up after 15 s, so webhooks get their own, shorter
// deadline; the write timeout is extended by streaming exports as they go.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 25 * time.Second
)

// serve opens the store, migrates, and serves until ctx ends. When the database does not
// answer at start, it serves degraded (opt-outs go to the spool, /readyz says so) and
// migrates as soon as the database answers.
func serve(ctx context.Context, cfg config, logger *slog.Logger) error {
	if cfg.TwilioAuthToken == "" && len(cfg.TwilioAuthTokens) == 0 {
		logger.Warn("TWILIO_AUTH_TOKEN is not set: every Twilio webhook will be refused with 403")
	}
	store, applied, err := openMigrated(ctx, cfg.DatabaseURL)
	if err == nil {
		defer store.Close()
		logger.Info("migrations applied", slog.Int("count", applied))
		return serveService(ctx, cfg, store, logger, nil, nil)
	}
	if !errors.Is(err, errUnreachable) {
		return err
	}
	logger.Error("PostgreSQL does not answer: serving degraded until it does; opt-outs go to the spool", "err", err)
	if store, err = postgres.OpenUnchecked(cfg.DatabaseURL); err != nil {
		return err
	}
	defer store.Close()
	return serveService(ctx, cfg, store, logger, nil, nil, func(ctx context.Context) error {
		applied, err := migrateWhenReachable(ctx, cfg.DatabaseURL, logger)
		if err == nil {
			logger.Info("PostgreSQL answers: migrations applied", slog.Int("count", applied))
		}
		return err
	})
}

// migrateRetry is how often a service started without its database tries again.
const migrateRetry = time.Second

// migrateWhenReachable applies migrations once the database answers, trying every
// migrateRetry until ctx ends. A migration that fails for another reason is returned.
func migrateWhenReachable(ctx context.Context, url string, logger *slog.Logger) (int, error) {
	for {
		applied, err := migrateOnce(ctx, url)
		if err == nil || !errors.Is(err, errUnreachable) {
			return applied, err
		}
		logger.Debug("PostgreSQL still does not answer", "err", err)
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(migrateRetry):
		}
	}
}

// listenAndServe serves handler on addr until ctx ends, then shuts down gracefully: the
// listener closes at once and in-flight requests get shutdownTimeout to finish.
func listenAndServe(ctx context.Context, addr string, handler http.Handler, logger *slog.Logger, onListen func(addr string)) error {
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	return serveOn(ctx, ln, handler, logger, onListen)
}

// listen opens the service's TCP listener on addr.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// serveOn is listenAndServe on a listener opened already.
func serveOn(ctx context.Context, ln net.Listener, handler http.Handler, logger *slog.Logger, onListen func(addr string)) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	logger.Info("listening", slog.String("addr", ln.Addr().String()))
	if onListen != nil {
		onListen(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down, letting in-flight requests finish")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}
