package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// fakeKeys is a keyLoader over a fixed set of keys that counts its calls and can hold them
// until released.
type fakeKeys struct {
	calls   atomic.Int64
	hold    chan struct{} // when not nil, every call waits for it to close
	fail    error         // when not nil, every call fails with it
	revoked map[string]bool
}

func (f *fakeKeys) load(ctx context.Context, plaintext string) (consent.APIKey, consent.Business, error) {
	f.calls.Add(1)
	if f.hold != nil {
		select {
		case <-f.hold:
		case <-ctx.Done():
			return consent.APIKey{}, consent.Business{}, ctx.Err()
		}
	}
	switch {
	case f.fail != nil:
		return consent.APIKey{}, consent.Business{}, f.fail
	case plaintext[0] != 'k':
		return consent.APIKey{}, consent.Business{}, fmt.Errorf("verifying: %w", consent.ErrNotFound)
	case f.revoked[plaintext]:
		return consent.APIKey{ID: 1}, consent.Business{}, fmt.Errorf("verifying: %w", consent.ErrRevokedKey)
	}
	return consent.APIKey{ID: 1, BusinessID: "acme"}, consent.Business{ID: "acme"}, nil
}

// testCache is a cache whose clock the test moves.
func testCache(ttl time.Duration) (*keyCache, *time.Time) {
	now := time.Date(2025, 4, 11, 12, 0, 0, 0, time.UTC)
	kc := newKeyCache(ttl)
	kc.now = func() time.Time { return now }
	return kc, &now
}

func TestAKeyIsLookedUpAgainOnlyOnceItsEntryExpired(t *testing.T) {
	kc, now := testCache(time.Second)
	f := &fakeKeys{revoked: map[string]bool{}}
	for range 5 {
		_, b, err := kc.resolve(context.Background(), "key", f.load)
		require.NoError(t, err)
		require.Equal(t, "acme", b.ID)
	}
	require.EqualValues(t, 1, f.calls.Load(), "a fresh entry answers without the store")

	f.revoked["key"] = true
	*now = now.Add(999 * time.Millisecond)
	_, _, err := kc.resolve(context.Background(), "key", f.load)
	require.NoError(t, err, "still trusted just before the entry expires")
	*now = now.Add(time.Millisecond)
	_, _, err = kc.resolve(context.Background(), "key", f.load)
	require.ErrorIs(t, err, consent.ErrRevokedKey, "a revocation shows once the entry expired")
	require.EqualValues(t, 2, f.calls.Load())
}

func TestABurstOnAnExpiredKeyMakesOneLookup(t *testing.T) {
	kc, _ := testCache(time.Second)
	f := &fakeKeys{hold: make(chan struct{})}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			_, _, err := kc.resolve(context.Background(), "key", f.load)
			errs <- err
		})
	}
	require.Eventually(t, func() bool { return f.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	close(f.hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, 1, f.calls.Load())
}

func TestUnknownAndRevokedKeysAreRememberedBriefly(t *testing.T) {
	kc, now := testCache(time.Second)
	f := &fakeKeys{revoked: map[string]bool{"key-revoked": true}}
	for _, plaintext := range []string{"wrong", "key-revoked"} {
		for range 3 {
			_, _, err := kc.resolve(context.Background(), plaintext, f.load)
			require.True(t, isKeyVerdict(err), "%v", err)
		}
	}
	require.EqualValues(t, 2, f.calls.Load())
	*now = now.Add(time.Second)
	_, _, err := kc.resolve(context.Background(), "wrong", f.load)
	require.ErrorIs(t, err, consent.ErrNotFound)
	require.EqualValues(t, 3, f.calls.Load(), "a refusal is asked again after the same time as a key")
}

func TestAFailingStoreIsAskedAgainOnTheNextRequest(t *testing.T) {
	kc, _ := testCache(time.Second)
	f := &fakeKeys{fail: errors.New("database went away")}
	for range 3 {
		_, _, err := kc.resolve(context.Background(), "key", f.load)
		require.ErrorContains(t, err, "database went away")
	}
	require.EqualValues(t, 3, f.calls.Load())
}

func TestManyWrongKeysDoNotGrowTheCachePastItsBound(t *testing.T) {
	kc, _ := testCache(time.Hour)
	kc.size = 100
	f := &fakeKeys{}
	_, _, err := kc.resolve(context.Background(), "key", f.load)
	require.NoError(t, err)
	for i := range 1000 {
		_, _, err := kc.resolve(context.Background(), fmt.Sprintf("wrong-%d", i), f.load)
		require.ErrorIs(t, err, consent.ErrNotFound)
	}
	require.LessOrEqual(t, len(kc.byHash), 100)
	calls := f.calls.Load()
	_, _, err = kc.resolve(context.Background(), "key", f.load)
	require.NoError(t, err)
	require.Equal(t, calls, f.calls.Load(), "wrong keys made room among themselves, not by evicting the good key")
}

func TestAWaiterWhoseLookupWasAbandonedLooksTheKeyUpItself(t *testing.T) {
	kc, _ := testCache(time.Second)
	f := &fakeKeys{hold: make(chan struct{})}
	leaderCtx, leave := context.WithCancel(context.Background())
	leaderDone := make(chan error, 1)
	go func() {
		_, _, err := kc.resolve(leaderCtx, "key", f.load)
		leaderDone <- err
	}()
	require.Eventually(t, func() bool { return f.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	waiterDone := make(chan error, 1)
	go func() {
		_, _, err := kc.resolve(context.Background(), "key", f.load)
		waiterDone <- err
	}()
	leave()
	require.ErrorIs(t, <-leaderDone, context.Canceled)
	require.Eventually(t, func() bool { return f.calls.Load() == 2 }, 5*time.Second, time.Millisecond)
	close(f.hold)
	require.NoError(t, <-waiterDone)
}

func TestARefusalFoundByARequestThatWentAwayStillHoldsForTheOthers(t *testing.T) {
	kc, _ := testCache(time.Second)
	release, started := make(chan struct{}), make(chan struct{})
	leaderCtx, leave := context.WithCancel(context.Background())
	var calls atomic.Int64
	load := func(context.Context, string) (consent.APIKey, consent.Business, error) {
		if calls.Add(1) == 1 {
			close(started)
			<-release
			leave() // the request ends just as the store answers
		}
		return consent.APIKey{}, consent.Business{}, fmt.Errorf("verifying: %w", consent.ErrNotFound)
	}
	go kc.resolve(leaderCtx, "wrong", load)
	<-started
	waiterDone := make(chan error, 1)
	go func() {
		_, _, err := kc.resolve(context.Background(), "wrong", load)
		waiterDone <- err
	}()
	close(release)
	require.ErrorIs(t, <-waiterDone, consent.ErrNotFound)
	require.EqualValues(t, 1, calls.Load())
}

func TestALookupThatPanicsDoesNotStrandItsWaiters(t *testing.T) {
	kc, _ := testCache(time.Second)
	require.Panics(t, func() {
		kc.resolve(context.Background(), "key", func(context.Context, string) (consent.APIKey, consent.Business, error) {
			panic("loader bug")
		})
	})
	f := &fakeKeys{}
	_, _, err := kc.resolve(context.Background(), "key", f.load)
	require.NoError(t, err)
	require.EqualValues(t, 1, f.calls.Load())
}
