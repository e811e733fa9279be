package webhooks

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/optin/optin/consent"
)

// Store is what the dispatcher needs from the store; *postgres.Store has it.
type Store interface {
	ClaimWebhookEndpoints(ctx context.Context, token string, lease time.Duration, limit int) ([]consent.WebhookEndpoint, error)
	NextWebhookDelivery(ctx context.Context, l consent.WebhookLease, lease time.Duration, stream consent.WebhookStream) (consent.WebhookDelivery, bool, error)
	RecordWebhookAttempt(ctx context.Context, l consent.WebhookLease, lease time.Duration, id int64, a consent.WebhookAttempt) (consent.DeliveryStatus, error)
	ReleaseWebhookEndpoint(ctx context.Context, l consent.WebhookLease) error
	WebhookBacklog(ctx context.Context, perStream int) (depth int, oldest time.Duration, err error)
}

// Options tune the dispatcher. Only Sealer is required.
type Options struct {
	Sealer    *Sealer       // opens the endpoints' secrets
	Addresses AddressPolicy // which addresses deliveries may connect to
	// Client makes the requests (default NewClient(Addresses, AttemptTimeout)).
	Client *http.Client
	// PollInterval is how often an idle dispatcher asks for endpoints with work (default
	// 200 ms): the bound on how late a webhook leaves after its event commits.
	PollInterval time.Duration
	// Workers is how many endpoints one dispatcher works at once (default 8).
	Workers int
	// Lease is how long a claimed endpoint stays this dispatcher's without a write (default
	// 1 min); it must outlast an attempt.
	Lease time.Duration
	// AttemptTimeout ends an attempt the receiver does not answer (default 10 s).
	AttemptTimeout time.Duration
	Backoff        Backoff
	// RetryWindow is how long a delivery is retried before it fails (default 24 h).
	RetryWindow time.Duration
	// PerLease is how many attempts a dispatcher makes for one endpoint before it lets the
	// endpoint go, so others get their turn (default 1000).
	PerLease int
	// Clock stamps webhook-timestamp (default time.Now).
	Clock func() time.Time
	Log   *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 10 * time.Second
	}
	o.Backoff = o.Backoff.withDefaults()
	if o.RetryWindow <= 0 {
		o.RetryWindow = 24 * time.Hour
	}
	if o.PerLease <= 0 {
		o.PerLease = 1000
	}
	if o.Client == nil {
		o.Client = NewClient(o.Addresses, o.AttemptTimeout)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// Dispatcher delivers webhooks. Run any number of them, on any number of replicas, over one
// database: each endpoint is worked by one at a time.
type Dispatcher struct {
	store Store
	opts  Options
	wake  chan struct{}
	stats stats
}

// stats counts attempts by outcome.
type stats struct {
	delivered, failedAttempts, gaveUp, disabled atomic.Uint64
}

// Stats are the attempts a dispatcher made, by outcome, since it was made.
type Stats struct {
	Delivered      uint64 // answered 2xx
	FailedAttempts uint64 // failed, to be retried
	GaveUp         uint64 // failed past the retry window: the delivery failed
	Disabled       uint64 // answered 410: the endpoint is disabled
}

// New returns a dispatcher over store.
func New(store Store, opts Options) *Dispatcher {
	return &Dispatcher{store: store, opts: opts.withDefaults(), wake: make(chan struct{}, 1)}
}

// Stats returns the attempts made so far, by outcome.
func (d *Dispatcher) Stats() Stats {
	return Stats{Delivered: d.stats.delivered.Load(), FailedAttempts: d.stats.failedAttempts.Load(),
		GaveUp: d.stats.gaveUp.Load(), Disabled: d.stats.disabled.Load()}
}

// Backlog returns how many events active endpoints have not received yet (at most perStream
// counted per endpoint and stream), and the age of the oldest.
func (d *Dispatcher) Backlog(ctx context.Context, perStream int) (int, time.Duration, error) {
	return d.store.WebhookBacklog(ctx, perStream)
}

// Run delivers until ctx ends: every PollInterval, and whenever a worker frees up, it claims
// endpoints with work and works each in a goroutine of its own. When ctx ends, attempts under
// way finish and are recorded before Run returns.
func (d *Dispatcher) Run(ctx context.Context) {
	slots := make(chan struct{}, d.opts.Workers)
	var workers sync.WaitGroup
	defer workers.Wait()
	tick := time.NewTicker(d.opts.PollInterval)
	defer tick.Stop()
	for {
		if free := cap(slots) - len(slots); free > 0 {
			token := rand.Text()
			endpoints, err := d.store.ClaimWebhookEndpoints(ctx, token, d.opts.Lease, free)
			if err != nil && ctx.Err() == nil {
				d.opts.Log.Warn("webhooks: claiming endpoints failed; trying again at the next poll", "err", err)
			}
			for _, w := range endpoints {
				slots <- struct{}{}
				workers.Go(func() {
					defer func() { <-slots; d.nudge() }()
					d.work(ctx, w, consent.WebhookLease{BusinessID: w.BusinessID, EndpointID: w.ID, Token: token})
				})
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-d.wake:
		}
	}
}

// nudge makes Run poll now rather than at its next tick.
func (d *Dispatcher) nudge() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}
