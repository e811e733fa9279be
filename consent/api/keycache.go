package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/optin/optin/consent"
)

// defaultKeyCacheTTL is how long a replica trusts what it learnt about a key: a revoked key is
// refused, and a change to its business seen, within this time on every replica.
const defaultKeyCacheTTL = time.Second

// keyCacheSize bounds how many keys a replica remembers. Real keys are a handful per business;
// the bound is for the wrong ones, which are remembered too (for the same short time) so that a
// client retrying a bad key does not reach the database on every request.
const keyCacheSize = 10_000

// keyLoader finds a key by its plaintext and the business it belongs to. Its verdicts,
// consent.ErrNotFound and consent.ErrRevokedKey, are remembered like a found key; any other
// error is not.
type keyLoader func(ctx context.Context, plaintext string) (consent.APIKey, consent.Business, error)

// keyCache remembers, per SHA-256 of a key, what the store said about it, for ttl. While a key
// is being looked up, other requests with the same key wait for that lookup instead of making
// their own, so a burst on an expired entry costs one round trip.
type keyCache struct {
	ttl  time.Duration
	size int
	now  func() time.Time // the real clock: entries expire in real time even under a test clock

	mu     sync.Mutex
	byHash map[[sha256.Size]byte]*keyLookup
}

// keyLookup is one lookup of a key: in flight until done is closed, then its outcome, valid
// until expires. The outcome fields are written once, before done is closed.
type keyLookup struct {
	done     chan struct{}
	key      consent.APIKey
	business consent.Business
	err      error
	expires  time.Time
	// abandoned marks a lookup that failed because the request making it ended: the
	// requests waiting for it look the key up again rather than take that failure as theirs.
	abandoned bool
	// stale is the key's last good lookup, expired: when the store does not answer, the key
	// is still what it was then. Revoking it needs the store too, so nothing is missed.
	stale *keyLookup
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, size: keyCacheSize, now: time.Now, byHash: map[[sha256.Size]byte]*keyLookup{}}
}

// resolve returns the key whose plaintext is given and its business, from memory when a
// lookup of it ended less than ttl ago, otherwise through load.
func (kc *keyCache) resolve(ctx context.Context, plaintext string, load keyLoader) (consent.APIKey, consent.Business, error) {
	hash := sha256.Sum256([]byte(plaintext))
	for {
		l, leader := kc.lookup(hash)
		if leader {
			kc.complete(ctx, hash, l, plaintext, load)
		}
		select {
		case <-l.done:
		case <-ctx.Done():
			return consent.APIKey{}, consent.Business{}, ctx.Err()
		}
		if !leader && l.abandoned {
			continue // the request that looked it up went away; this one is still here
		}
		return l.key, l.business, l.err
	}
}

// errLookupPanicked completes a lookup whose loader panicked, so its waiters are not stranded.
var errLookupPanicked = errors.New("looking up api key: the lookup panicked")

// complete runs load for the in-flight entry l and finishes it, also when load panics.
func (kc *keyCache) complete(ctx context.Context, hash [sha256.Size]byte, l *keyLookup, plaintext string, load keyLoader) {
	done := false
	defer func() {
		if !done {
			kc.finish(hash, l, consent.APIKey{}, consent.Business{}, errLookupPanicked)
		}
	}()
	key, b, err := load(ctx, plaintext)
	done = true
	l.abandoned = err != nil && !isKeyVerdict(err) && ctx.Err() != nil
	kc.finish(hash, l, key, b, err)
}

// lookup returns the entry of hash when it is in flight or still valid; otherwise it puts a
// new in-flight entry in its place and reports that the caller must complete it.
func (kc *keyCache) lookup(hash [sha256.Size]byte) (l *keyLookup, leader bool) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	now := kc.now()
	var stale *keyLookup
	if l, ok := kc.byHash[hash]; ok {
		if !finished(l) || now.Before(l.expires) {
			return l, false
		}
		if l.err == nil {
			stale = l
			if l.stale != nil {
				stale = l.stale
			}
		}
	}
	delete(kc.byHash, hash)
	kc.makeRoom(now)
	l = &keyLookup{done: make(chan struct{}), stale: stale}
	kc.byHash[hash] = l
	return l, true
}

// finish records the outcome of l and wakes its waiters. An outcome that is not a verdict on
// the key (the database failed) is handed to the waiters but not kept.
func (kc *keyCache) finish(hash [sha256.Size]byte, l *keyLookup, key consent.APIKey, b consent.Business, err error) {
	kc.mu.Lock()
	l.expires = kc.now().Add(kc.ttl)
	switch {
	case err != nil && !isKeyVerdict(err) && l.stale != nil:
		// The store failed: the key as last found, due for the store again next time.
		key, b, err = l.stale.key, l.stale.business, nil
		l.expires, l.abandoned = kc.now(), false
	case err != nil && !isKeyVerdict(err) && kc.byHash[hash] == l:
		delete(kc.byHash, hash)
	default:
		l.stale = nil
	}
	l.key, l.business, l.err = key, b, err
	kc.mu.Unlock()
	close(l.done)
}

// makeRoom removes one entry when the cache is full, preferring an expired one or one that
// refused a key, so wrong keys cannot crowd out the keys in use. Entries in flight stay; with
// that many lookups at once the cache may briefly hold more. It runs with kc.mu held.
func (kc *keyCache) makeRoom(now time.Time) {
	if len(kc.byHash) < kc.size {
		return
	}
	var fallback *[sha256.Size]byte
	for h, l := range kc.byHash {
		if !finished(l) {
			continue
		}
		if l.err != nil || !now.Before(l.expires) {
			delete(kc.byHash, h)
			return
		}
		if fallback == nil {
			fallback = &h
		}
	}
	if fallback != nil {
		delete(kc.byHash, *fallback)
	}
}

func finished(l *keyLookup) bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// isKeyVerdict reports whether err is the store's answer about the key itself.
func isKeyVerdict(err error) bool {
	return errors.Is(err, consent.ErrNotFound) || errors.Is(err, consent.ErrRevokedKey)
}

// known returns the key whose plaintext is given when a lookup of it found it less than ttl
// ago; it never asks the store.
func (kc *keyCache) known(plaintext string) (consent.APIKey, consent.Business, bool) {
	hash := sha256.Sum256([]byte(plaintext))
	kc.mu.Lock()
	defer kc.mu.Unlock()
	l, ok := kc.byHash[hash]
	if !ok || !finished(l) || l.err != nil || !kc.now().Before(l.expires) {
		return consent.APIKey{}, consent.Business{}, false
	}
	return l.key, l.business, true
}
