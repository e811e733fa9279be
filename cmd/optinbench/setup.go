package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/localpg"
)

// env is a running benchmark target: database, store, in-process server, client and keys.
type env struct {
	opts       options
	dbURL      string
	store      *postgres.Store
	base       string // http://127.0.0.1:port of the in-process server
	client     *client
	biz        businesses
	bigKey     string // API key of the list and export business
	pgVersion  string
	seeded     bigSeed
	directRuns int   // windows of direct_txn so far: each has phones of its own
	history    int64 // --seed-events rows written
	closers    []func()
}

// close ends everything setup started, newest first.
func (e *env) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

// setup starts (or connects to) PostgreSQL, migrates, applies the businesses and serves the
// service's engine in this process on 127.0.0.1.
func setup(ctx context.Context, o options) (_ *env, err error) {
	e := &env{opts: o, dbURL: postgres.WithSSLMode(o.databaseURL)}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	if e.dbURL == "" {
		srv, err := localpg.Start(ctx, localpg.Options{})
		if err != nil {
			return nil, fmt.Errorf("start PostgreSQL (or pass --database-url): %w", err)
		}
		e.closers = append(e.closers, func() { srv.Stop() }) //nolint:errcheck // nothing to do about it at exit
		if err := srv.CreateDatabase(ctx, "optinbench"); err != nil {
			return nil, err
		}
		e.dbURL = srv.URL("optinbench")
	}
	if e.store, err = postgres.Open(ctx, e.dbURL); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	e.closers = append(e.closers, func() { e.store.Close() }) //nolint:errcheck // at exit
	if err := e.prepareDatabase(ctx); err != nil {
		return nil, err
	}
	base, stop, err := listenLoopback(e.store, serviceLogger())
	if err != nil {
		return nil, err
	}
	e.base = base
	e.closers = append(e.closers, stop)
	e.client = newClient(base, o.workers)
	return e, nil
}

// serviceLogger formats every line the service logs, as in production, and throws it away.
func serviceLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// errUsedDatabase refuses a database an earlier run wrote to: its phones and message ids
// would not be fresh.
var errUsedDatabase = errors.New("the database already holds an optinbench run: give an empty database to --database-url")

func (e *env) prepareDatabase(ctx context.Context) error {
	db := e.store.DB()
	if err := db.GetContext(ctx, &e.pgVersion, "SHOW server_version"); err != nil {
		return fmt.Errorf("read server version: %w", err)
	}
	if _, err := postgres.Migrate(ctx, db.DB); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var used bool
	if err := db.GetContext(ctx, &used, `SELECT EXISTS (SELECT 1 FROM businesses WHERE id = $1)`, bigBusinessID); err != nil {
		return fmt.Errorf("look for an earlier run: %w", err)
	}
	if used {
		return errUsedDatabase
	}
	var err error
	if e.biz, err = deriveBusinesses(); err != nil {
		return err
	}
	if err := applyBusinesses(ctx, e.store, e.biz); err != nil {
		return err
	}
	if e.bigKey, _, err = e.store.CreateAPIKey(ctx, bigBusinessID, "optinbench"); err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	return nil
}

// client sends the load: one kept-alive connection per worker, bodies read and discarded.
type client struct {
	http *http.Client
	base string
}

func newClient(base string, workers int) *client {
	t := &http.Transport{
		MaxIdleConns:        workers * 2,
		MaxIdleConnsPerHost: workers * 2,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &client{base: base, http: &http.Client{Timeout: 30 * time.Second, Transport: t}}
}
