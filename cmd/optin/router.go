package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/optin/optin/cmd/internal/server"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/spool"
)

// newEngine wires every route of the service onto one Gin engine, with no spool.
func newEngine(cfg config, store *postgres.Store, logger *slog.Logger) *gin.Engine {
	return newService(cfg, store, nil, logger).Engine
}

// newService wires the service: its routes and the replay of sp, its spool.
func newService(cfg config, store *postgres.Store, sp *spool.Spool, logger *slog.Logger) *server.Service {
	return server.New(server.Config{
		PublicURL:        cfg.PublicURL,
		TwilioAuthToken:  cfg.TwilioAuthToken,
		TwilioAuthTokens: cfg.TwilioAuthTokens,
		TrustedProxies:   cfg.TrustedProxies,
		API:              api.Options{RateLimit: rate.Limit(cfg.APIRate), RateBurst: cfg.APIBurst},
		Spool:            sp,
	}, store, logger)
}

// serveService serves the service with the spool in cfg.SpoolDir until ctx ends: it opens
// the spool (replaying what an earlier run left once the database answers), teaches the
// Twilio edge every business, and replays in the background while it serves. It serves on
// ln, or on a listener of cfg.HTTPAddr when ln is nil.
func serveService(ctx context.Context, cfg config, store *postgres.Store, logger *slog.Logger, ln net.Listener, onListen func(addr string)) error {
	sp, err := spool.Open(cfg.SpoolDir, logger.With(slog.String("component", "spool")))
	if err != nil {
		return fmt.Errorf("open the spool (SPOOL_DIR=%s): %w", cfg.SpoolDir, err)
	}
	defer sp.Close()
	svc := newService(cfg, store, sp, logger)
	if err := svc.Warm(ctx); err != nil {
		logger.Warn("could not read the businesses ahead of their first webhook", "err", err)
	}
	rctx, stop := context.WithCancel(ctx)
	replayed := make(chan struct{})
	go func() { defer close(replayed); svc.Replay(rctx) }()
	defer func() { stop(); <-replayed }()
	if ln == nil {
		return listenAndServe(ctx, cfg.HTTPAddr, svc.Engine, logger, onListen)
	}
	return serveOn(ctx, ln, svc.Engine, logger, onListen)
}
