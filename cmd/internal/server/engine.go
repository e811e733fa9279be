package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/optin/optin/channels/twilio"
	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/spool"
	"github.com/optin/optin/consent/webhooks"
)

// readinessTimeout bounds how long /readyz waits for the database.
const readinessTimeout = 2 * time.Second

// Config is what the engine needs to know about its deployment.
type Config struct {
	PublicURL        string            // scheme, host and port Twilio calls
	TwilioAuthToken  string            // the main account's auth token
	TwilioAuthTokens map[string]string // AccountSid → auth token, for other accounts
	// TrustedProxies are the addresses (IPs or CIDR ranges) whose X-Forwarded-For names the
	// client; with none, the client is the connection's peer, so no header can pose as
	// another client to escape the throttle on failed authentications.
	TrustedProxies []string
	API            api.Options // the business API's options
	// Spool keeps opt-outs taken while the database does not answer; nil takes none (they
	// are refused, and may be lost: for benchmarks and tests only).
	Spool *spool.Spool
	// Webhooks registers and delivers change webhooks.
	Webhooks WebhookConfig
}

// Service is the wired service: its routes, and the replay of its spool into the ledger.
type Service struct {
	Engine   *gin.Engine
	spool    *spool.Spool
	replayer spool.Replayer
	twilio   *twilio.Handler
	store    *postgres.Store
	log      *slog.Logger
	// Webhooks registers a business's webhook endpoints, for the API and the CLI.
	Webhooks   *webhooks.Registry
	dispatcher *webhooks.Dispatcher // nil without a webhook secret key
}

// NewEngine wires every route of the service onto one Gin engine.
func NewEngine(cfg Config, store *postgres.Store, logger *slog.Logger) *gin.Engine {
	return New(cfg, store, logger).Engine
}

// New wires the service: every route onto one Gin engine, and the spool's replay.
func New(cfg Config, store *postgres.Store, logger *slog.Logger) *Service {
	metrics := newHTTPMetrics()
	e := gin.New()
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		// The configuration was checked when it was read; trust no proxy rather than all.
		logger.Error("trusted proxies refused; trusting none", "err", err)
		_ = e.SetTrustedProxies(nil)
	}
	e.Use(observe(logger, metrics), recoverJSON(logger))

	tw := twilio.Config{PublicURL: cfg.PublicURL, AuthToken: cfg.TwilioAuthToken, AuthTokens: cfg.TwilioAuthTokens}
	apiOpts := cfg.API
	if cfg.Spool != nil {
		tw.Spool, apiOpts.Spool = cfg.Spool, cfg.Spool
		registerSpoolMetrics(metrics.registry, cfg.Spool)
	}
	registry, dispatcher, err := newWebhooks(cfg.Webhooks, store, logger.With(slog.String("component", "webhooks")))
	if err != nil {
		// The key was checked when the configuration was read; serve without webhooks rather than not at all.
		logger.Error("webhook secret key refused; webhooks are off", "err", err)
		registry, dispatcher, _ = newWebhooks(WebhookConfig{AllowPrivate: cfg.Webhooks.AllowPrivate}, store, logger)
	}
	apiOpts.Webhooks = registry
	registerWebhookMetrics(metrics.registry, store, dispatcher)
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", readyz(storeReadiness{store}, cfg.Spool))
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(metrics.registry, promhttp.HandlerOpts{})))
	th := twilio.NewHandler(tw, store, logger.With(slog.String("edge", "twilio")))
	th.Register(e)
	api.NewHandler(store, logger.With(slog.String("edge", "api")), apiOpts).Register(e)
	e.NoRoute(api.NoRoute)
	e.NoMethod(api.NoMethod)

	kinds := th.SpoolKinds()
	kinds[spool.KindEvents] = spool.RebuildEvents
	return &Service{Engine: e, spool: cfg.Spool, twilio: th, store: store, log: logger, Webhooks: registry, dispatcher: dispatcher,
		replayer: spool.Replayer{Store: store, Kinds: kinds, Log: logger.With(slog.String("component", "spool"))}}
}

// businessesKept is the name under which the spool keeps the businesses last read.
const businessesKept = "businesses.json"

// Warm teaches the Twilio edge every business, so that their numbers are recognised and
// their opt-outs spooled even while the database does not answer. The businesses are kept in
// the spool directory too: a replica started while the database does not answer learns them
// from there.
func (s *Service) Warm(ctx context.Context) error {
	bs, err := s.store.Businesses(ctx)
	if err != nil {
		if kept, kerr := s.keptBusinesses(); kerr == nil {
			s.twilio.Warm(kept)
			return fmt.Errorf("%w (the %d businesses kept in the spool directory are used meanwhile)", err, len(kept))
		}
		return err
	}
	s.twilio.Warm(bs)
	if s.spool != nil {
		data, err := json.Marshal(bs)
		if err == nil {
			err = s.spool.Keep(businessesKept, data)
		}
		if err != nil {
			s.log.Warn("could not keep the businesses in the spool directory", "err", err)
		}
	}
	return nil
}

// keptBusinesses reads the businesses the spool directory keeps.
func (s *Service) keptBusinesses() ([]consent.Business, error) {
	if s.spool == nil {
		return nil, errors.New("no spool")
	}
	data, err := s.spool.Kept(businessesKept)
	if err != nil {
		return nil, err
	}
	var bs []consent.Business
	if err := json.Unmarshal(data, &bs); err != nil {
		return nil, fmt.Errorf("reading %s: %w", businessesKept, err)
	}
	return bs, nil
}

// Replay replays the spool into the ledger until ctx ends; without a spool it returns at once.
func (s *Service) Replay(ctx context.Context) {
	if s.spool != nil {
		s.spool.Run(ctx, s.replayer)
	}
}

// readiness is what /readyz asks the database; *postgres.Store answers it through
// storeReadiness.
type readiness interface {
	Ping(ctx context.Context) error
	SchemaCurrent(ctx context.Context) (bool, error)
}

type storeReadiness struct{ store *postgres.Store }

func (r storeReadiness) Ping(ctx context.Context) error { return r.store.Ping(ctx) }

func (r storeReadiness) SchemaCurrent(ctx context.Context) (bool, error) {
	return postgres.SchemaCurrent(ctx, r.store.DB().DB)
}

// readyBody is the answer of /readyz.
type readyBody struct {
	Status   string    `json:"status"`             // ready, degraded or unavailable
	Database string    `json:"database,omitempty"` // unreachable, when degraded
	Reason   string    `json:"reason,omitempty"`   // why it is unavailable
	Spool    spoolBody `json:"spool"`
}

// spoolBody is what /readyz says of the spool.
type spoolBody struct {
	Depth            int     `json:"depth"`
	OldestAgeSeconds float64 `json:"oldest_age_seconds"`
}

// readyz answers 200 only when the database answers and its schema is current, within
// readinessTimeout whatever the database does: one that hangs instead of refusing is not
// waited for. While it does not answer the service is degraded: opt-outs still go to the
// spool, whose depth and oldest entry the answer shows.
func readyz(db readiness, sp *spool.Spool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), readinessTimeout)
		defer cancel()
		answer := make(chan string, 1)
		go func() {
			if err := db.Ping(ctx); err != nil {
				answer <- "database unreachable"
				return
			}
			if current, err := db.SchemaCurrent(ctx); err != nil || !current {
				answer <- "database schema not current"
				return
			}
			answer <- ""
		}()
		var problem string
		select {
		case problem = <-answer:
		case <-ctx.Done():
			problem = "database unreachable"
		}
		var spooled spoolBody
		if sp != nil {
			st := sp.Stats()
			spooled = spoolBody{Depth: st.Depth, OldestAgeSeconds: st.OldestAge.Seconds()}
		}
		switch problem {
		case "":
			c.JSON(http.StatusOK, readyBody{Status: "ready", Spool: spooled})
		case "database unreachable":
			c.JSON(http.StatusServiceUnavailable, readyBody{Status: "degraded", Database: "unreachable", Spool: spooled})
		default:
			c.JSON(http.StatusServiceUnavailable, readyBody{Status: "unavailable", Reason: problem, Spool: spooled})
		}
	}
}

// recoverJSON turns a panic into a logged 500 with the API's error shape, never a stack trace.
func recoverJSON(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				logger.ErrorContext(c.Request.Context(), "panic", slog.Any("panic", r), slog.String("route", routeOf(c)))
				if !c.Writer.Written() {
					c.AbortWithStatusJSON(http.StatusInternalServerError,
						gin.H{"error": gin.H{"code": "internal", "message": "internal error"}})
				}
			}
		}()
		c.Next()
	}
}
