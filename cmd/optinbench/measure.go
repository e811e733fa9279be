package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// load is one kind of request that every worker sends in a loop, one at a time.
type load struct {
	// prepare builds what the requests need (pre-signed forms) before any is sent.
	prepare func(workers int, window time.Duration)
	// op sends request i of worker w; an error ends the figure.
	op func(ctx context.Context, w, i int) error
	// maxPerWorker bounds the requests of a worker (fresh phones run out); 0 means no bound.
	maxPerWorker int
}

// loadResult is what one load measured in its window.
type loadResult struct {
	counted  int           // requests that started and ended inside the window
	sent     int           // every request answered, warm-up and stragglers included
	sentBy   []int         // sent, per worker
	window   time.Duration // length of the window
	p50, p99 time.Duration
	lat      []time.Duration // of the counted requests, sorted
}

func (r loadResult) perSecond() float64 { return float64(r.counted) / r.window.Seconds() }

// runLoad sends l from workers concurrent clients: warmup first, uncounted, then window. A
// request counts when it started and ended inside the window, and no request is cut off:
// at the end each worker finishes the one it is sending, so what was answered was recorded.
func runLoad(ctx context.Context, l load, workers int, warmup, window time.Duration) (loadResult, error) {
	if l.prepare != nil {
		l.prepare(workers, warmup+window)
	}
	limit := l.maxPerWorker
	if limit <= 0 {
		limit = 1 << 30
	}
	lat := make([][]time.Duration, workers)
	sent := make([]int, workers)
	errs := make([]error, workers)
	var failed atomic.Bool
	start := time.Now()
	from, end := start.Add(warmup), start.Add(warmup+window)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < limit && ctx.Err() == nil && !failed.Load(); i++ {
				t := time.Now()
				if !t.Before(end) {
					return
				}
				if err := l.op(ctx, w, i); err != nil {
					if ctx.Err() == nil {
						errs[w] = err
						failed.Store(true)
					}
					return
				}
				done := time.Now()
				sent[w]++
				if !t.Before(from) && !done.After(end) {
					lat[w] = append(lat[w], done.Sub(t))
				}
			}
			if ctx.Err() == nil && !failed.Load() && time.Now().Before(end) {
				errs[w] = fmt.Errorf("worker %d ran out of requests (%d) before the window ended", w, limit)
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return loadResult{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return loadResult{}, err
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := loadResult{counted: len(all), window: window, sentBy: sent, lat: all}
	for _, n := range sent {
		r.sent += n
	}
	r.p50, r.p99 = percentile(all, 50), percentile(all, 99)
	return r, nil
}

// merge is two windows of one load taken as one: requests and windows added, latencies pooled.
func merge(a, b loadResult) loadResult {
	all := slices.Concat(a.lat, b.lat)
	slices.Sort(all)
	return loadResult{counted: a.counted + b.counted, sent: a.sent + b.sent, window: a.window + b.window,
		p50: percentile(all, 50), p99: percentile(all, 99), lat: all}
}

// percentile is the nearest-rank percentile p of sorted latencies; 0 when there are none.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (len(sorted)*p + 99) / 100 // ceil(n·p/100)
	return sorted[max(rank, 1)-1]
}
