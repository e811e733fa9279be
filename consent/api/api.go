// Package api serves the business REST API: a business's senders read consent lists, look up
// one phone, ask before every send whether they may, fetch the proof behind it, follow the
// ledger, export everything, and record consent taken on the web or on paper. Every request carries a business API key and sees only that
// business's data. The paths and JSON shapes are the contract of DESIGN §5; openapi.yaml in this
// package describes them and is served at GET /openapi.yaml.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/optin/optin/consent"
)

// Store is what the API needs from the consent store; *postgres.Store satisfies it.
type Store interface {
	VerifyAPIKey(ctx context.Context, plaintext string) (consent.APIKey, error)
	TouchAPIKey(ctx context.Context, id int64, now time.Time) error
	Business(ctx context.Context, id string) (consent.Business, error)
	ConsentsOf(ctx context.Context, businessID, phone string) ([]consent.Consent, error)
	Evidence(ctx context.Context, businessID, phone string) ([]consent.Event, error)
	Commit(ctx context.Context, w consent.Write) (consent.Committed, error)
	ListConsents(ctx context.Context, businessID string, f consent.ConsentFilter, after consent.ConsentKey, limit int) ([]consent.Consent, error)
	ExportConsents(ctx context.Context, businessID string, f consent.ConsentFilter, each func(consent.Consent) error) error
	EventsAfter(ctx context.Context, businessID string, after int64, limit int) ([]consent.Event, error)
	SignalsAfter(ctx context.Context, businessID string, after int64, limit int) ([]consent.Signal, error)
	ImportEvents(ctx context.Context, businessID string, events []consent.Event) (int, error)
	DecisionInputs(ctx context.Context, businessID, category string, ch consent.Channel, phones []string) ([]consent.DecisionInput, error)
}

// Options tune the API. The zero value is usable.
type Options struct {
	// CursorSecret signs list cursors so a tampered cursor is refused. Replicas must share it.
	// When empty a built-in key is used: cursors stay tamper-evident but can be forged by
	// anyone who reads this source, which only lets a key holder start a list anywhere in its
	// own business's data.
	CursorSecret []byte
	// RateLimit is the sustained requests per second allowed per API key (default 100);
	// negative disables the limit.
	RateLimit rate.Limit
	// RateBurst is how many requests a key may make at once (default 200).
	RateBurst int
	// KeyCacheTTL is how long a replica trusts what the store said about an API key and its
	// business before asking again (default 1 s): a revoked key is refused within this time
	// on every replica. Negative asks the store on every request.
	KeyCacheTTL time.Duration
	// MaxBodyBytes bounds request bodies; larger ones get 413 (default 1 MiB).
	MaxBodyBytes int64
	// MaxImportBytes bounds the body of an import instead (default 256 MiB).
	MaxImportBytes int64
	// ExportWriteWindow is how long the client gets to take each flushed part of an export
	// before the write deadline ends the response (default 1 minute). Each flush extends it,
	// so an export outlives the server's WriteTimeout while the client keeps reading.
	ExportWriteWindow time.Duration
	// RequestTimeout bounds every request but an export, whatever the store does (default
	// 8 s, so a client with a 10 s timeout always gets an answer); an export must make
	// progress within it.
	RequestTimeout time.Duration
	// Spool keeps the opt-outs taken while the store does not answer: they are answered 202
	// with their spool id. Without one they are answered 503 like everything else then.
	Spool Spool
	// Webhooks registers the business's webhook receivers; without it the /v1/webhooks
	// routes do not exist.
	Webhooks Webhooks
	// Clock is the API's own clock, for rate limits and key use (default time.Now). Events are
	// stamped by the store, inside the unit that records them.
	Clock func() time.Time
}

func (o Options) withDefaults() Options {
	if o.RateLimit == 0 {
		o.RateLimit = 100
	}
	if o.RateBurst <= 0 {
		o.RateBurst = 200
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.MaxImportBytes <= 0 {
		o.MaxImportBytes = 256 << 20
	}
	if o.ExportWriteWindow <= 0 {
		o.ExportWriteWindow = time.Minute
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 8 * time.Second
	}
	if o.KeyCacheTTL == 0 {
		o.KeyCacheTTL = defaultKeyCacheTTL
	}
	if len(o.CursorSecret) == 0 {
		o.CursorSecret = []byte("optin consent list cursor v1")
	}
	return o
}

// exportPath is the route of the export, which streams for as long as it makes progress.
const exportPath = "/v1/export"

// Handler serves the business API.
type Handler struct {
	store   Store
	logger  *slog.Logger
	opts    Options
	keys    *keyGate
	cursors cursorCodec
	// knownKeys remembers verified keys, so most requests never reach the store to authenticate.
	knownKeys *keyCache
	// guesses throttles failed authentications per client address.
	guesses *guessGuard
}

// NewHandler returns the API handler over store.
func NewHandler(store Store, logger *slog.Logger, opts Options) *Handler {
	opts = opts.withDefaults()
	return &Handler{store: store, logger: logger, opts: opts,
		keys: newKeyGate(opts.RateLimit, opts.RateBurst), cursors: cursorCodec{secret: opts.CursorSecret},
		knownKeys: newKeyCache(opts.KeyCacheTTL), guesses: newGuessGuard()}
}

// Register adds GET /openapi.yaml and every /v1 route to r. Unknown routes are answered by
// the engine: pass NoRoute and NoMethod to it so they answer in the API's error shape.
func (h *Handler) Register(r gin.IRouter) {
	r.GET("/openapi.yaml", serveSpec)
	v1 := r.Group("/v1", h.limitBody, h.deadline, h.authenticate)
	v1.GET("/categories", only(), h.categories)
	v1.GET("/consents", only("category", "status", "updated_since", "limit", "cursor"), h.listConsents)
	v1.GET("/consents/:phone", only("category"), h.consentsOfPhone)
	v1.GET("/consents/:phone/evidence", only(), h.evidence)
	v1.GET("/events", only("after", "limit"), h.events)
	v1.GET("/signals", only("after", "limit"), h.signals)
	v1.GET("/decisions", only("phone", "category", "channel"), h.decision)
	v1.POST("/decisions", only(), h.decisions)
	v1.GET(strings.TrimPrefix(exportPath, "/v1"), only("category", "status", "updated_since", "format"), h.export)
	v1.POST("/opt-outs", only(), h.optOut)
	v1.POST("/opt-ins", only(), h.optIn)
	v1.POST(strings.TrimPrefix(importsPath, "/v1"), only("allow_missing_disclosure"), h.importConsents)
	if h.opts.Webhooks != nil {
		v1.POST("/webhooks", only(), h.createWebhook)
		v1.GET("/webhooks", only(), h.listWebhooks)
		v1.DELETE("/webhooks/:id", only(), h.removeWebhook)
		v1.GET("/webhooks/:id/deliveries", only("limit"), h.webhookDeliveries)
	}
}

// now is the handler's clock, in UTC.
func (h *Handler) now() time.Time { return h.opts.Clock().UTC() }

// deadline bounds a request's work by RequestTimeout; an export and an import are bounded by
// their progress instead (see export and importConsents).
func (h *Handler) deadline(c *gin.Context) {
	if c.FullPath() == exportPath || c.FullPath() == importsPath {
		c.Next()
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.opts.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// limitBody refuses declared oversized bodies at once and caps the rest while they are read.
func (h *Handler) limitBody(c *gin.Context) {
	limit := h.opts.MaxBodyBytes
	if c.FullPath() == importsPath {
		limit = h.opts.MaxImportBytes
	}
	if c.Request.ContentLength > limit {
		abortError(c, http.StatusRequestEntityTooLarge, codeTooLarge, bodyTooLargeMessage(limit))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}
