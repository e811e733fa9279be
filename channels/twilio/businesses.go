package twilio

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/optin/optin/consent"
)

// A `business apply` must be seen within 5 seconds, so a found business is kept for less.
// An unknown number is remembered briefly so a misconfigured number cannot hammer the store.
const (
	businessTTL = 4 * time.Second
	unknownTTL  = 1 * time.Second
	// sweepAt is the cache size at which expired entries are dropped on insert.
	sweepAt = 1024
)

type cachedBusiness struct {
	business consent.Business
	known    bool
	expires  time.Time
}

// businessCache maps a called or texted number to its business, shortly.
type businessCache struct {
	store   Store
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]cachedBusiness
}

func newBusinessCache(store Store, now func() time.Time) *businessCache {
	return &businessCache{store: store, now: now, entries: map[string]cachedBusiness{}}
}

// lookup returns the business owning number (normalised), or consent.ErrNotFound.
// Store failures are returned as they are and never cached.
func (bc *businessCache) lookup(ctx context.Context, number string) (consent.Business, error) {
	now := bc.now()
	bc.mu.Lock()
	e, ok := bc.entries[number]
	bc.mu.Unlock()
	if ok && now.Before(e.expires) {
		if !e.known {
			return consent.Business{}, consent.ErrNotFound
		}
		return e.business, nil
	}
	b, err := bc.store.BusinessByNumber(ctx, number)
	switch {
	case err == nil:
		bc.put(number, cachedBusiness{business: b, known: true, expires: now.Add(businessTTL)})
		return b, nil
	case errors.Is(err, consent.ErrNotFound):
		bc.put(number, cachedBusiness{expires: now.Add(unknownTTL)})
		return consent.Business{}, consent.ErrNotFound
	default:
		return consent.Business{}, err
	}
}

func (bc *businessCache) put(number string, e cachedBusiness) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if len(bc.entries) >= sweepAt {
		now := bc.now()
		for k, old := range bc.entries {
			if !now.Before(old.expires) {
				delete(bc.entries, k)
			}
		}
	}
	bc.entries[number] = e
}
