package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/optin/optin/channels/twilio"
	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/localpg"
	"github.com/optin/optin/fixtures"
)

// benchToken is the Twilio auth token the benchmark server verifies and its clients sign with.
const benchToken = "optinbench-token"

// env is a running benchmark target: database, store, server and an API key.
type env struct {
	store     *postgres.Store
	base      string // http://127.0.0.1:port
	apiKey    string
	business  consent.Business
	client    *http.Client
	pgVersion string
	close     func()
}

func setup(ctx context.Context, o options, logger *slog.Logger) (*env, error) {
	var closers []func()
	e := &env{close: func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}}
	url := o.databaseURL
	if url == "" {
		srv, err := localpg.Start(ctx, localpg.Options{})
		if err != nil {
			return nil, fmt.Errorf("start PostgreSQL (or pass --database-url): %w", err)
		}
		closers = append(closers, func() { srv.Stop() })
		if err := srv.CreateDatabase(ctx, "optinbench"); err != nil {
			e.close()
			return nil, err
		}
		url = srv.URL("optinbench")
	}
	if err := e.prepareStore(ctx, url); err != nil {
		e.close()
		return nil, err
	}
	closers = append(closers, func() { e.store.Close() })
	stopServer, err := e.serve(logger)
	if err != nil {
		e.close()
		return nil, err
	}
	closers = append(closers, stopServer)
	return e, nil
}

func (e *env) prepareStore(ctx context.Context, url string) error {
	store, err := postgres.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	e.store = store
	if _, err := postgres.Migrate(ctx, store.DB().DB); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	if err != nil {
		return err
	}
	if _, err := store.ApplyBusiness(ctx, b); err != nil {
		return fmt.Errorf("apply demo business: %w", err)
	}
	e.business = b
	if e.apiKey, _, err = store.CreateAPIKey(ctx, b.ID, "optinbench"); err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	if err := store.DB().GetContext(ctx, &e.pgVersion, "SHOW server_version"); err != nil {
		return fmt.Errorf("read server version: %w", err)
	}
	const floorTable = `CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, phone text NOT NULL, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())`
	if _, err := store.DB().ExecContext(ctx, floorTable); err != nil {
		return fmt.Errorf("create baseline table: %w", err)
	}
	return nil
}

// serve runs the same edges `optin serve` mounts on a loopback listener. The API's per-key
// rate limit is off: it would measure the limiter, not the service.
func (e *env) serve(logger *slog.Logger) (func(), error) {
	gin.SetMode(gin.ReleaseMode)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	e.base = "http://" + ln.Addr().String()
	r := gin.New()
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	twilio.NewHandler(twilio.Config{PublicURL: e.base, AuthToken: benchToken}, e.store, logger).Register(r)
	api.NewHandler(e.store, logger, api.Options{RateLimit: rate.Limit(-1)}).Register(r)
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	e.client = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
