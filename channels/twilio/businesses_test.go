package twilio

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// numberBook is a store holding number → business in memory, counting lookups.
type numberBook struct {
	Store
	byNumber map[string]consent.Business
	err      error
	lookups  int
}

func (s *numberBook) BusinessByNumber(_ context.Context, number string) (consent.Business, error) {
	s.lookups++
	if s.err != nil {
		return consent.Business{}, s.err
	}
	b, ok := s.byNumber[number]
	if !ok {
		return consent.Business{}, consent.ErrNotFound
	}
	return b, nil
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestBusinessCache(t *testing.T) {
	ctx := context.Background()
	newCache := func() (*businessCache, *numberBook, *fakeClock) {
		store := &numberBook{byNumber: map[string]consent.Business{"+15005550006": {ID: "acme", Name: "Acme"}}}
		clock := &fakeClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
		return newBusinessCache(store, clock.now, time.Second), store, clock
	}

	t.Run("a second call within the TTL does not ask the store", func(t *testing.T) {
		cache, store, clock := newCache()
		_, err := cache.lookup(ctx, "+15005550006")
		require.NoError(t, err)
		clock.advance(time.Second)
		b, err := cache.lookup(ctx, "+15005550006")
		require.NoError(t, err)
		assert.Equal(t, "acme", b.ID)
		assert.Equal(t, 1, store.lookups)
	})

	t.Run("a business apply is seen within five seconds", func(t *testing.T) {
		cache, store, clock := newCache()
		_, err := cache.lookup(ctx, "+15005550006")
		require.NoError(t, err)
		store.byNumber["+15005550006"] = consent.Business{ID: "acme", Name: "Acme Outdoor"}
		clock.advance(5 * time.Second)
		b, err := cache.lookup(ctx, "+15005550006")
		require.NoError(t, err)
		assert.Equal(t, "Acme Outdoor", b.Name)
	})

	t.Run("an unknown number is remembered briefly, then found once applied", func(t *testing.T) {
		cache, store, clock := newCache()
		_, err := cache.lookup(ctx, "384387")
		require.ErrorIs(t, err, consent.ErrNotFound)
		store.byNumber["384387"] = consent.Business{ID: "acme"}
		_, err = cache.lookup(ctx, "384387")
		require.ErrorIs(t, err, consent.ErrNotFound, "still cached as unknown")
		assert.Equal(t, 1, store.lookups)
		clock.advance(unknownTTL)
		b, err := cache.lookup(ctx, "384387")
		require.NoError(t, err)
		assert.Equal(t, "acme", b.ID)
	})

	t.Run("a store failure is returned and not cached", func(t *testing.T) {
		cache, store, _ := newCache()
		store.err = errors.New("connection refused")
		_, err := cache.lookup(ctx, "+15005550006")
		require.ErrorIs(t, err, store.err)
		store.err = nil
		b, err := cache.lookup(ctx, "+15005550006")
		require.NoError(t, err)
		assert.Equal(t, "acme", b.ID)
	})

	t.Run("a business last seen is used while the store fails, so its STOPs can be spooled", func(t *testing.T) {
		cache, store, clock := newCache()
		_, err := cache.lookup(ctx, "+15005550006")
		require.NoError(t, err)
		clock.advance(time.Hour)
		store.err = errors.New("connection refused")
		b, err := cache.lookup(ctx, "+15005550006")
		require.NoError(t, err)
		assert.Equal(t, "acme", b.ID)
		assert.Equal(t, 2, store.lookups, "the store was asked first")
	})

	t.Run("a warmed business is known before its first webhook, even while the store fails", func(t *testing.T) {
		cache, store, _ := newCache()
		cache.warm([]consent.Business{{ID: "globex", Numbers: []string{"+15005550010"}}})
		store.err = errors.New("connection refused")
		for _, addr := range []string{"+15005550010", "whatsapp:+15005550010"} {
			b, err := cache.lookup(ctx, addr)
			require.NoError(t, err, addr)
			assert.Equal(t, "globex", b.ID)
		}
		store.err = nil
		store.byNumber["+15005550010"] = consent.Business{ID: "globex", Name: "Globex"}
		b, err := cache.lookup(ctx, "+15005550010")
		require.NoError(t, err)
		assert.Equal(t, "Globex", b.Name, "a warmed entry is refreshed from the store on its first use")
	})

	t.Run("expired entries are swept once the cache is large", func(t *testing.T) {
		cache, _, clock := newCache()
		for i := range sweepAt {
			_, _ = cache.lookup(ctx, "+1"+time.Duration(i).String())
		}
		clock.advance(businessTTL)
		_, _ = cache.lookup(ctx, "+15005550006")
		assert.Len(t, cache.entries, 1)
	})
}
