package webhooks

import (
	"math/rand/v2"
	"time"
)

// Backoff spaces the attempts of a failing delivery: Base after the first failure, doubling
// with each one up to Max, with jitter so that endpoints failing together do not retry
// together.
type Backoff struct {
	Base time.Duration // wait after the first failed attempt (default 1 s)
	Max  time.Duration // longest wait (default 1 min: a receiver back from an outage hears again within a minute)
}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = time.Second
	}
	if b.Max <= 0 {
		b.Max = time.Minute
	}
	return b
}

// Delay is the wait after the failed attempt number attempts (1 for the first): half of the
// step for sure and the other half at random, so a retry never comes sooner than half the
// step and the waits of many deliveries spread out.
func (b Backoff) Delay(attempts int) time.Duration {
	b = b.withDefaults()
	step := b.Base
	for i := 1; i < attempts && step < b.Max; i++ {
		step *= 2
	}
	step = min(step, b.Max)
	half := step / 2
	return half + rand.N(step-half+1)
}
