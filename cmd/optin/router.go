package main

import (
	"log/slog"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/optin/optin/cmd/internal/server"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
)

// newEngine wires every route of the service onto one Gin engine.
func newEngine(cfg config, store *postgres.Store, logger *slog.Logger) *gin.Engine {
	return server.NewEngine(server.Config{
		PublicURL:        cfg.PublicURL,
		TwilioAuthToken:  cfg.TwilioAuthToken,
		TwilioAuthTokens: cfg.TwilioAuthTokens,
		TrustedProxies:   cfg.TrustedProxies,
		API:              api.Options{RateLimit: rate.Limit(cfg.APIRate), RateBurst: cfg.APIBurst},
	}, store, logger)
}
