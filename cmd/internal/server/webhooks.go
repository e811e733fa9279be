package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/webhooks"
)

// WebhookConfig is how the service registers and delivers webhooks.
type WebhookConfig struct {
	// SecretKey seals the endpoints' signing secrets (WEBHOOK_SECRET_KEY, KeySize bytes).
	// Without one no endpoint can be created and nothing is delivered.
	SecretKey []byte
	// AllowPrivate lets webhooks reach private, loopback and link-local addresses
	// (WEBHOOK_ALLOW_PRIVATE): for development and tests only.
	AllowPrivate bool
	// Dispatch tunes the dispatcher; its Sealer, Addresses and Log are set by New.
	Dispatch webhooks.Options
}

// newWebhooks returns the registry the API and the CLI use and, when there is a key, the
// dispatcher.
func newWebhooks(cfg WebhookConfig, store *postgres.Store, logger *slog.Logger) (*webhooks.Registry, *webhooks.Dispatcher, error) {
	addresses := webhooks.AddressPolicy{AllowPrivate: cfg.AllowPrivate}
	if len(cfg.SecretKey) == 0 {
		return webhooks.NewRegistry(store, nil, addresses), nil, nil
	}
	sealer, err := webhooks.NewSealer(cfg.SecretKey)
	if err != nil {
		return nil, nil, err
	}
	opts := cfg.Dispatch
	opts.Sealer, opts.Addresses, opts.Log = sealer, addresses, logger
	return webhooks.NewRegistry(store, sealer, addresses), webhooks.New(store, opts), nil
}

// Deliver runs the webhook dispatcher until ctx ends; without WEBHOOK_SECRET_KEY it says so
// and returns at once.
func (s *Service) Deliver(ctx context.Context) {
	if s.dispatcher == nil {
		s.log.Info("webhooks are not delivered: WEBHOOK_SECRET_KEY is not set")
		return
	}
	s.dispatcher.Run(ctx)
}

// Webhook metrics: how far behind the receivers are, and how attempts end.
const (
	webhookBacklogCap     = 10000 // events counted per endpoint and stream, so a scrape stays cheap
	webhookBacklogTimeout = 2 * time.Second
)

// webhookCollector exports the webhook metrics: the backlog, read from the database on each
// scrape, and the dispatcher's attempts by outcome.
type webhookCollector struct {
	store      *postgres.Store
	dispatcher *webhooks.Dispatcher // nil without a key: no attempts
	depth      *prometheus.Desc
	oldest     *prometheus.Desc
	attempts   *prometheus.Desc
}

func registerWebhookMetrics(reg *prometheus.Registry, store *postgres.Store, d *webhooks.Dispatcher) {
	reg.MustRegister(&webhookCollector{store: store, dispatcher: d,
		depth: prometheus.NewDesc("optin_webhook_queue_depth",
			"Events active webhook endpoints have not received yet (at most 10000 counted per endpoint and stream).", nil, nil),
		oldest: prometheus.NewDesc("optin_webhook_oldest_undelivered_seconds",
			"How long ago the oldest event not yet delivered was recorded; 0 when none waits.", nil, nil),
		attempts: prometheus.NewDesc("optin_webhook_attempts_total",
			"Webhook delivery attempts of this replica by outcome: delivered, failed_attempt (retried), gave_up (past the retry window), disabled (410).",
			[]string{"outcome"}, nil),
	})
}

func (c *webhookCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.oldest
	ch <- c.attempts
}

func (c *webhookCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), webhookBacklogTimeout)
	defer cancel()
	if depth, oldest, err := c.store.WebhookBacklog(ctx, webhookBacklogCap); err == nil {
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(depth))
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest.Seconds())
	}
	var st webhooks.Stats
	if c.dispatcher != nil {
		st = c.dispatcher.Stats()
	}
	for outcome, n := range map[string]uint64{"delivered": st.Delivered, "failed_attempt": st.FailedAttempts,
		"gave_up": st.GaveUp, "disabled": st.Disabled} {
		ch <- prometheus.MustNewConstMetric(c.attempts, prometheus.CounterValue, float64(n), outcome)
	}
}
