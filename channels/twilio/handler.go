package twilio

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// Store is what the Twilio edge needs from the consent store; *postgres.Store satisfies it.
type Store interface {
	// BusinessByNumber finds the business owning a normalised number (E.164 or short code).
	BusinessByNumber(ctx context.Context, number string) (consent.Business, error)
	// Commit decides a write against the person's committed state and records its outcome
	// in one unit no other write about the person interleaves with; a message exactly once.
	Commit(ctx context.Context, w consent.Write) (consent.Committed, error)
	// RecordSignal appends a platform signal once per MessageSid; fresh is false when the
	// message gave one before.
	RecordSignal(ctx context.Context, s consent.Signal) (_ consent.Signal, fresh bool, err error)
}

// Config holds what the Twilio edge needs to know about its deployment.
type Config struct {
	// PublicURL is the scheme, host and optional port Twilio calls, e.g. https://optin.example.
	// Signed URLs are rebuilt from it, never from the Host header.
	PublicURL string
	// AuthToken is the auth token of the main Twilio account.
	AuthToken string
	// AuthTokens maps an AccountSid to its own auth token, for sub-accounts and other accounts.
	AuthTokens map[string]string
	// Clock returns the current time; time.Now when nil.
	Clock func() time.Time
	// RequestTimeout bounds the work done for one webhook, well under Twilio's 15 s;
	// 10 s when zero.
	RequestTimeout time.Duration
	// StoreTimeout bounds how long a webhook waits for its write before an opt-out goes to
	// the spool; half of RequestTimeout when zero, so the spool's fsync fits in the rest.
	StoreTimeout time.Duration
	// Spool keeps opt-outs taken while the store does not answer. Without one they are
	// answered 503 (messages) or with an apology (calls), and lost.
	Spool Spool
}

// Handler serves the Twilio webhooks.
type Handler struct {
	cfg        Config
	store      Store
	log        *slog.Logger
	businesses *businessCache
	phones     *phoneMemo
	spool      Spool  // nil when none
	stepURL    string // absolute URL of the <Gather> action route, set by Register
}

// NewHandler returns the Twilio webhook handler over store.
func NewHandler(cfg Config, store Store, logger *slog.Logger) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.StoreTimeout <= 0 || cfg.StoreTimeout > cfg.RequestTimeout {
		cfg.StoreTimeout = cfg.RequestTimeout / 2
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{
		cfg:        cfg,
		store:      store,
		log:        logger,
		businesses: newBusinessCache(store, cfg.Clock, cfg.StoreTimeout/2),
		phones:     newPhoneMemo(),
		spool:      cfg.Spool,
	}
}

// Warm makes the handler know every business before its first webhook, so that while the
// store does not answer, the numbers of every business are still recognised and their
// opt-outs spooled. businesses is the store's list of them.
func (h *Handler) Warm(businesses []consent.Business) { h.businesses.warm(businesses) }

// Register mounts the Twilio routes on r. Every route is POST and checks the signature.
// The engine should run with RedirectTrailingSlash off so no redirect answers Twilio.
func (h *Handler) Register(r gin.IRouter) {
	base := ""
	if b, ok := r.(interface{ BasePath() string }); ok {
		base = strings.TrimRight(b.BasePath(), "/")
	}
	h.stepURL = h.cfg.PublicURL + base + "/twilio" + voiceStepPath
	g := r.Group("/twilio", h.limitBody, h.verifySignature, h.deadline)
	g.POST("/voice", h.voice)
	g.POST(voiceStepPath, h.voiceStep)
	g.POST("/sms", h.message)
	g.POST("/status", h.status)
}

// deadline bounds the request's work so Twilio gets an answer before it gives up.
func (h *Handler) deadline(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.cfg.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}
