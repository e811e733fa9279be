package main

import (
	"log/slog"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/channels/twilio"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
)

// registerEdges mounts the Twilio webhooks and the business API, and answers unknown routes
// in the API's error shape.
func registerEdges(e *gin.Engine, cfg config, store *postgres.Store, logger *slog.Logger) {
	twilio.NewHandler(twilio.Config{
		PublicURL:  cfg.PublicURL,
		AuthToken:  cfg.TwilioAuthToken,
		AuthTokens: cfg.TwilioAuthTokens,
	}, store, logger.With(slog.String("edge", "twilio"))).Register(e)
	api.NewHandler(store, logger.With(slog.String("edge", "api")), api.Options{}).Register(e)
	e.NoRoute(api.NoRoute)
	e.NoMethod(api.NoMethod)
}
