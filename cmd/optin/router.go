package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

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
		Webhooks:         server.WebhookConfig{SecretKey: cfg.WebhookSecretKey, AllowPrivate: cfg.WebhookAllowPrivate},
	}, store, logger)
}

// serveService serves the service with the spool in cfg.SpoolDir until ctx ends: it opens
// the spool (replaying what an earlier run left once the database answers), teaches the
// Twilio edge every business, and replays in the background while it serves. It serves on
// ln, or on a listener of cfg.HTTPAddr when ln is nil.
//
// When prepare is given, the database did not answer at start: prepare (migrating once it
// answers) runs in the background, then the businesses are read again.
func serveService(ctx context.Context, cfg config, store *postgres.Store, logger *slog.Logger, ln net.Listener, onListen func(addr string),
	prepare ...func(context.Context) error) error {
	sp, err := spool.Open(cfg.SpoolDir, logger.With(slog.String("component", "spool")))
	if err != nil {
		return fmt.Errorf("open the spool (SPOOL_DIR=%s): %w", cfg.SpoolDir, err)
	}
	defer sp.Close()
	svc := newService(cfg, store, sp, logger)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	if err := svc.Warm(wctx); err != nil {
		logger.Warn("could not read the businesses ahead of their first webhook", "err", err)
	}
	cancel()
	bctx, stop := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer func() { stop(); background.Wait() }()
	background.Go(func() { svc.Replay(bctx) })
	background.Go(func() { svc.Deliver(bctx) })
	for _, p := range prepare {
		background.Go(func() {
			if err := p(bctx); err != nil {
				if bctx.Err() == nil {
					logger.Error("preparing the database failed; /readyz stays 503", "err", err)
				}
				return
			}
			if err := svc.Warm(bctx); err != nil {
				logger.Warn("could not read the businesses", "err", err)
			}
		})
	}
	if ln == nil {
		return listenAndServe(ctx, cfg.HTTPAddr, svc.Engine, logger, onListen)
	}
	return serveOn(ctx, ln, svc.Engine, logger, onListen)
}
