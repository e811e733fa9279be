package twilio

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/optin/optin/consent"
)

// A `business apply` must be seen within 5 seconds, so a found business is kept for less.
// An unknown number is remembered briefly so a misconfigured number cannot hammer the store.
const (
	businessTTL = 4 * time.Second
	unknownTTL  = 1 * time.Second
	// sweepAt is the cache size at which expired unknown numbers are dropped on insert.
	sweepAt = 1024
)

type cachedBusiness struct {
	business consent.Business
	err      error // consent.ErrNotFound or consent.ErrInvalidPhone when not known
	expires  time.Time
}

// businessCache maps a called or texted address, as Twilio sent it, to its business,
// shortly: a hit costs neither the store nor parsing the number.
type businessCache struct {
	store   Store
	now     func() time.Time
	wait    time.Duration // how long a lookup waits for the store
	mu      sync.Mutex
	entries map[string]cachedBusiness
}

func newBusinessCache(store Store, now func() time.Time, wait time.Duration) *businessCache {
	return &businessCache{store: store, now: now, wait: wait, entries: map[string]cachedBusiness{}}
}

// lookup returns the business owning a Twilio address (E.164, a short code, or either with
// a whatsapp: prefix), consent.ErrInvalidPhone when the address is no business number, or
// consent.ErrNotFound. Store failures are returned as they are and never cached.
func (bc *businessCache) lookup(ctx context.Context, addr string) (consent.Business, error) {
	now := bc.now()
	bc.mu.Lock()
	e, ok := bc.entries[addr]
	bc.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.business, e.err
	}
	known := ok && e.err == nil
	number, err := consent.NormalizeBusinessNumber(addr)
	if err != nil {
		bc.put(addr, cachedBusiness{err: consent.ErrInvalidPhone, expires: now.Add(unknownTTL)})
		return consent.Business{}, consent.ErrInvalidPhone
	}
	// A store that does not answer leaves the rest of the webhook's time to its write, or to
	// the spool, with the business as last seen.
	ctx, cancel := context.WithTimeout(ctx, bc.wait)
	defer cancel()
	b, err := withinDeadline(ctx, func() (consent.Business, error) { return bc.store.BusinessByNumber(ctx, number) })
	switch {
	case err == nil:
		bc.put(addr, cachedBusiness{business: b, expires: now.Add(businessTTL)})
		return b, nil
	case errors.Is(err, consent.ErrNotFound):
		bc.put(addr, cachedBusiness{err: consent.ErrNotFound, expires: now.Add(unknownTTL)})
		return consent.Business{}, consent.ErrNotFound
	case known:
		// The store does not answer: the business as last seen is better than no answer, so a
		// STOP can still be spooled and confirmed. Its next lookup asks the store again.
		return e.business, nil
	default:
		return consent.Business{}, err
	}
}

// warm remembers every business by each of its numbers, as Twilio writes them for SMS and
// WhatsApp, already due for refreshing: a replica that started before the store stopped
// answering knows every business then, even one it has had no webhook for.
func (bc *businessCache) warm(businesses []consent.Business) {
	now := bc.now()
	for _, b := range businesses {
		for _, n := range b.Numbers {
			for _, addr := range []string{n, "whatsapp:" + n} {
				bc.mu.Lock()
				_, seen := bc.entries[addr]
				bc.mu.Unlock()
				if !seen {
					bc.put(addr, cachedBusiness{business: b, expires: now})
				}
			}
		}
	}
}

func (bc *businessCache) put(number string, e cachedBusiness) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if len(bc.entries) >= sweepAt {
		now := bc.now()
		for k, old := range bc.entries {
			// A business found once is kept, expired, for when the store does not answer;
			// there are only as many as the businesses' numbers.
			if old.err != nil && !now.Before(old.expires) {
				delete(bc.entries, k)
			}
		}
	}
	bc.entries[number] = e
}

// withinDeadline runs f and returns its result, or ctx's error as soon as ctx ends: a
// database that hangs instead of refusing holds the call, and lib/pq only unblocks a read when
// the server answers, but a webhook must be answered in time. The call goes on in the
// background until the database answers, and lib/pq then closes its connection.
func withinDeadline[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("waiting for the store: %w", ctx.Err())
	}
}
