package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/optin/optin/channels/twilio"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
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
}

// NewEngine wires every route of the service onto one Gin engine.
func NewEngine(cfg Config, store *postgres.Store, logger *slog.Logger) *gin.Engine {
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

	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", readyz(storeReadiness{store}))
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(metrics.registry, promhttp.HandlerOpts{})))
	twilio.NewHandler(twilio.Config{
		PublicURL:  cfg.PublicURL,
		AuthToken:  cfg.TwilioAuthToken,
		AuthTokens: cfg.TwilioAuthTokens,
	}, store, logger.With(slog.String("edge", "twilio"))).Register(e)
	api.NewHandler(store, logger.With(slog.String("edge", "api")), cfg.API).Register(e)
	e.NoRoute(api.NoRoute)
	e.NoMethod(api.NoMethod)
	return e
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

// readyz answers 200 only when the database answers and its schema is current, within
// readinessTimeout whatever the database does: one that hangs instead of refusing is not
// waited for.
func readyz(db readiness) gin.HandlerFunc {
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
		if problem != "" {
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "reason": problem})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
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
