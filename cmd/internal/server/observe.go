package server

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/optin/optin/consent/spool"
)

// httpMetrics are the request metrics, labelled by route template so phone numbers in
// paths never become label values.
type httpMetrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics() *httpMetrics {
	m := &httpMetrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "optin_http_requests_total", Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "optin_http_request_duration_seconds", Help: "HTTP request latency by route template and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// routeOf is the matched route template, or a fixed label for unmatched paths.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// observe records one access log line and the metrics of every request. It logs the route
// template, never the raw path or query: those can hold phone numbers and cursors.
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

// registerSpoolMetrics exports what the spool holds: its depth and the age of its oldest
// entry (alert when either stays above zero), damage found on open and entries refused.
func registerSpoolMetrics(reg *prometheus.Registry, sp *spool.Spool) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "optin_spool_depth",
			Help: "Opt-outs in the spool, waiting for the database."},
			func() float64 { return float64(sp.Stats().Depth) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "optin_spool_oldest_age_seconds",
			Help: "How long the oldest opt-out in the spool has waited; 0 when it is empty."},
			func() float64 { return sp.Stats().OldestAge.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "optin_spool_damaged_bytes",
			Help: "Bytes of damaged spool records skipped (and kept aside) when the spool was opened."},
			func() float64 { return float64(sp.Stats().DamagedBytes) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "optin_spool_rejected_total",
			Help: "Spooled opt-outs the ledger refused, kept in rejected.log."},
			func() float64 { return float64(sp.Stats().RejectedTotal) }),
	)
}
