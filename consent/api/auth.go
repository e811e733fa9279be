package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/optin/optin/consent"
)

// touchEvery is how often a key's last use is written at most.
const touchEvery = time.Minute

// maxKeyLength bounds what is sent to the store as a key; real keys are far shorter.
const maxKeyLength = 128

// keyGate holds the per-key state of this replica: a rate limiter and when the key's last use
// was last written. Keys are few (a handful per business), so the map is never pruned.
type keyGate struct {
	limit rate.Limit
	burst int
	mu    sync.Mutex
	keys  map[int64]*keyState
}

type keyState struct {
	limiter *rate.Limiter
	touched time.Time
}

func newKeyGate(limit rate.Limit, burst int) *keyGate {
	return &keyGate{limit: limit, burst: burst, keys: map[int64]*keyState{}}
}

func (g *keyGate) state(id int64) *keyState {
	st, ok := g.keys[id]
	if !ok {
		st = &keyState{limiter: rate.NewLimiter(g.limit, g.burst)}
		g.keys[id] = st
	}
	return st
}

// allow takes one request from the key's budget; when none is left it returns how long to wait.
func (g *keyGate) allow(id int64, now time.Time) (retryAfter time.Duration, ok bool) {
	if g.limit < 0 {
		return 0, true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.state(id).limiter.ReserveN(now, 1)
	if delay := r.DelayFrom(now); delay > 0 {
		r.CancelAt(now)
		return delay, false
	}
	return 0, true
}

// shouldTouch reports whether the key's last use is due to be written, and notes it as written.
func (g *keyGate) shouldTouch(id int64, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.state(id)
	if now.Sub(st.touched) < touchEvery {
		return false
	}
	st.touched = now
	return true
}

// authenticate resolves the bearer key to its business and stores both in the context. The
// key is looked up by its SHA-256, in memory while the replica's answer about it is fresh
// (Options.KeyCacheTTL) and otherwise in the store, so no comparison here depends on how much
// of a guessed key is right, and every failure answers the same way whatever part was wrong.
func (h *Handler) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	plaintext, ok := bearer(c.GetHeader("Authorization"))
	if !ok {
		c.Header("WWW-Authenticate", `Bearer realm="optin"`)
		abortError(c, http.StatusUnauthorized, codeUnauthorized, "send the API key as Authorization: Bearer <key>")
		return
	}
	now, addr := h.now(), c.ClientIP()
	key, b, known := h.knownKeys.known(plaintext)
	if wait, blocked := h.guesses.blocked(addr, now); blocked && !known {
		c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
		abortError(c, http.StatusTooManyRequests, codeRateLimited, "too many failed authentications from this address; retry after the Retry-After seconds")
		return
	}
	var err error
	if !known {
		key, b, err = h.knownKeys.resolve(ctx, plaintext, h.loadKeyInTime)
	}
	if isKeyVerdict(err) {
		if h.guesses.failed(addr, now) {
			h.logger.WarnContext(ctx, "failed authentications throttled", "address", addr)
		}
		c.Header("WWW-Authenticate", `Bearer realm="optin", error="invalid_token"`)
		abortError(c, http.StatusUnauthorized, codeUnauthorized, "the API key is unknown or revoked")
		return
	}
	if err != nil {
		h.internalError(c, err)
		return
	}
	if wait, ok := h.keys.allow(key.ID, now); !ok {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		abortError(c, http.StatusTooManyRequests, codeRateLimited, "too many requests for this API key; retry after the Retry-After seconds")
		return
	}
	if h.keys.shouldTouch(key.ID, now) {
		// Recording the key's use may wait a little, never the request's whole deadline.
		tctx, cancel := context.WithTimeout(ctx, touchTimeout)
		err := h.store.TouchAPIKey(tctx, key.ID, now)
		cancel()
		if err != nil {
			h.logger.WarnContext(ctx, "record api key use", "key", key.Prefix, "err", err)
		}
	}
	c.Set(ctxKey, key)
	c.Set(ctxBusiness, b)
	c.Next()
}

// touchTimeout bounds recording when a key was last used.
const touchTimeout = 500 * time.Millisecond

// loadKeyInTime is loadKey within a quarter of the request's time: a store that does not
// answer leaves the rest of it to the request, which may still spool an opt-out with a key
// known from before.
func (h *Handler) loadKeyInTime(ctx context.Context, plaintext string) (consent.APIKey, consent.Business, error) {
	ctx, cancel := context.WithTimeout(ctx, h.opts.RequestTimeout/4)
	defer cancel()
	return h.loadKey(ctx, plaintext)
}

// loadKey is the keyLoader of the handler: the key from the store, then its business.
func (h *Handler) loadKey(ctx context.Context, plaintext string) (consent.APIKey, consent.Business, error) {
	key, err := h.store.VerifyAPIKey(ctx, plaintext)
	if err != nil {
		return key, consent.Business{}, err
	}
	b, err := h.store.Business(ctx, key.BusinessID)
	if err != nil {
		return key, b, fmt.Errorf("reading the business of api key %d: %w", key.ID, err)
	}
	return key, b, nil
}

// Context keys under which authenticate leaves the key and its business.
const (
	ctxKey      = "optin.api.key"
	ctxBusiness = "optin.api.business"
)

func businessOf(c *gin.Context) consent.Business { return c.MustGet(ctxBusiness).(consent.Business) }

func keyOf(c *gin.Context) consent.APIKey { return c.MustGet(ctxKey).(consent.APIKey) }

// bearer extracts the key from an Authorization header, scheme matched case-insensitively.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > maxKeyLength {
		return "", false
	}
	return token, true
}
