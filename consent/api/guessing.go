package api

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failed authentications a client address may make: a burst, then one a second. Guessing a
// key at that pace is hopeless, and a client with a bad configuration still gets its 401s.
const (
	failureRate  = rate.Limit(1)
	failureBurst = 20
	// warnEvery is how often a throttled address is logged at most.
	warnEvery = time.Minute
	// guardSize bounds the remembered addresses; when full, quiet ones are forgotten.
	guardSize = 10_000
)

// guessGuard throttles failed authentications per client address. While an address has no
// failures left, its requests are refused with 429 before their key is looked up, unless the
// key is one this replica verified moments ago, so neither the store nor the caller learns
// anything from a guess.
type guessGuard struct {
	mu sync.Mutex
	by map[string]*addressFailures
}

type addressFailures struct {
	limiter *rate.Limiter
	warned  time.Time
}

func newGuessGuard() *guessGuard { return &guessGuard{by: map[string]*addressFailures{}} }

// blocked reports whether addr has no failed authentication left at now, and how long until
// it has one.
func (g *guessGuard) blocked(addr string, now time.Time) (time.Duration, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f, ok := g.by[addr]
	if !ok || f.limiter.TokensAt(now) >= 1 {
		return 0, false
	}
	r := f.limiter.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return wait, true
}

// failed counts one failed authentication of addr and reports whether it should be logged:
// the first time the address runs out, then at most once per warnEvery.
func (g *guessGuard) failed(addr string, now time.Time) (warn bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f, ok := g.by[addr]
	if !ok {
		if len(g.by) >= guardSize {
			g.forgetQuiet(now)
		}
		f = &addressFailures{limiter: rate.NewLimiter(failureRate, failureBurst)}
		g.by[addr] = f
	}
	f.limiter.AllowN(now, 1)
	if f.limiter.TokensAt(now) >= 1 || now.Sub(f.warned) < warnEvery {
		return false
	}
	f.warned = now
	return true
}

// forgetQuiet drops addresses whose failures have all refilled: they are as if never seen.
func (g *guessGuard) forgetQuiet(now time.Time) {
	for addr, f := range g.by {
		if f.limiter.TokensAt(now) >= failureBurst {
			delete(g.by, addr)
		}
	}
}
