package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/optin/optin/channels/twilio"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
)

// benchToken is the Twilio auth token the benchmark server verifies and its clients sign with.
const benchToken = "optinbench-token"

// newEngine builds the engine `optin serve` builds (cmd/optin/router.go and edges.go): the same
// Gin settings, an access-log and metrics middleware and a panic guard of the same shape, and
// the same edges. The real middleware lives in package main of cmd/optin and cannot be
// imported, so it is copied here in shape. The API's per-key rate limit is off: it would
// measure the limiter, not the service.
func newEngine(publicURL string, store *postgres.Store, logger *slog.Logger) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(observe(logger, newHTTPMetrics()), recoverJSON(logger))
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	twilio.NewHandler(twilio.Config{PublicURL: publicURL, AuthToken: benchToken}, store,
		logger.With(slog.String("edge", "twilio"))).Register(e)
	api.NewHandler(store, logger.With(slog.String("edge", "api")), api.Options{RateLimit: rate.Limit(-1)}).Register(e)
	e.NoRoute(api.NoRoute)
	e.NoMethod(api.NoMethod)
	return e
}

// httpMetrics are the two request metrics the service keeps, labelled by route template.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics() *httpMetrics {
	return &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "optin_http_requests_total", Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "optin_http_request_duration_seconds", Help: "HTTP request latency by route template and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
	}
}

// routeOf is the matched route template, or a fixed label for unmatched paths.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// observe records the metrics and one access log line of every request, as the service does.
func observe(logger *slog.Logger, m *httpMetrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route, status, elapsed := routeOf(c), c.Writer.Status(), time.Since(start)
		m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(route, c.Request.Method).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		logger.LogAttrs(c.Request.Context(), level, "request",
			slog.String("method", c.Request.Method), slog.String("route", route),
			slog.Int("status", status), slog.Duration("duration", elapsed),
			slog.Int("bytes", c.Writer.Size()), slog.String("request_id", c.GetHeader("X-Request-Id")))
	}
}

// recoverJSON turns a panic into a logged 500, as the service does.
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
