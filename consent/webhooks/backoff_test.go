package webhooks

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetriesOfADownReceiverComeAtLeastEveryMinute(t *testing.T) {
	var b Backoff
	for attempts := 1; attempts <= 2000; attempts++ {
		d := b.Delay(attempts)
		assert.LessOrEqual(t, d, time.Minute, "attempt %d", attempts)
		if attempts >= 8 { // 1 s doubling reaches the cap by the seventh step
			assert.GreaterOrEqual(t, d, 30*time.Second, "attempt %d: never sooner than half the step", attempts)
		}
	}
	assert.GreaterOrEqual(t, b.Delay(1), 500*time.Millisecond, "the first retry waits half a second at least")
	assert.LessOrEqual(t, b.Delay(1), time.Second)
}
