package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// churn changes consents of acme: it flips existing ones (moving their updated_at forward)
// and adds new phones that sort anywhere in the list.
type churn struct {
	e      *apiEnv
	rng    *rand.Rand
	phones []string
	clock  time.Time
}

func (c *churn) write(n int) error {
	events := make([]consent.Event, 0, n)
	for range n {
		c.clock = c.clock.Add(time.Second)
		cat := []string{"order_updates", "offers", "restock"}[c.rng.IntN(3)]
		if c.rng.IntN(3) == 0 {
			events = append(events, c.e.optedIn(acme, fmt.Sprintf("+1415555%04d", c.rng.IntN(10000)), cat, c.clock))
			continue
		}
		phone := c.phones[c.rng.IntN(len(c.phones))]
		if c.rng.IntN(2) == 0 {
			events = append(events, c.e.optedOut(acme, phone, cat, c.clock))
		} else {
			events = append(events, c.e.optedIn(acme, phone, cat, c.clock))
		}
	}
	_, err := c.e.store.Record(context.Background(), events)
	return err
}

func TestWalkingAllPagesDuringWritesMeetsEveryStartingConsentOnce(t *testing.T) {
	e := newEnv(t)
	c := &churn{e: e, rng: rand.New(rand.NewPCG(1, 2)), clock: testNow.Add(-24 * time.Hour)}
	var seed []consent.Event
	for i := range 60 {
		phone := fmt.Sprintf("+1415555%04d", 100*i+50)
		c.phones = append(c.phones, phone)
		for _, cat := range []string{"order_updates", "offers", "restock"} {
			seed = append(seed, e.optedIn(acme, phone, cat, c.clock))
		}
	}
	e.record(seed...)
	atStart := map[string]bool{}
	for _, s := range seed {
		atStart[s.Phone+"/"+s.Category] = true
	}

	// A writer changes consents the whole time, and between pages more writes land on both
	// sides of the walk's position.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bgErr error
	bg := &churn{e: e, rng: rand.New(rand.NewPCG(3, 4)), phones: c.phones, clock: testNow}
	wg.Go(func() {
		for bgErr == nil {
			select {
			case <-stop:
				return
			default:
				bgErr = bg.write(3)
			}
		}
	})
	stopWriter := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopWriter()
	seen := map[string]int{}
	path := "/v1/consents?limit=7"
	for {
		r := e.get(acme, path)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		for _, item := range r.JSON(t)["data"].([]any) {
			m := item.(map[string]any)
			seen[m["phone"].(string)+"/"+m["category"].(string)]++
		}
		next, _ := r.JSON(t)["next_cursor"].(string)
		if next == "" {
			break
		}
		require.NoError(t, c.write(5))
		path = "/v1/consents?limit=7&cursor=" + url.QueryEscape(next)
	}
	stopWriter()
	require.NoError(t, bgErr)

	for key := range atStart {
		require.Equal(t, 1, seen[key], "consent %s that existed at the start is listed exactly once", key)
	}
	for key, n := range seen {
		require.Equal(t, 1, n, "consent %s is listed once", key)
	}
}
