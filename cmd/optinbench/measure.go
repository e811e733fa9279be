package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// scenario is one kind of request measured under load. op performs request number i of worker w.
type scenario struct {
	name     string
	baseline string // the scenario this one is compared with; empty for a baseline
	op       func(ctx context.Context, w, i int) error
}

// result is what one scenario measured.
type result struct {
	name, baseline string
	count          int
	elapsed        time.Duration
	p50, p99       time.Duration
}

func (r result) perSecond() float64 { return float64(r.count) / r.elapsed.Seconds() }

func (r result) line(base result) string {
	s := fmt.Sprintf("%-22s %8d req  %9.0f req/s  p50 %7s  p99 %7s", r.name, r.count, r.perSecond(),
		r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond))
	if r.baseline != "" && base.count > 0 {
		s += fmt.Sprintf("  ratio %.3f [%s]", r.perSecond()/base.perSecond(), r.baseline)
	}
	return s
}

// maxOpsPerWorker bounds a scenario by count as well as by time.
const maxOpsPerWorker = 1_000_000

// measure runs sc with o.workers concurrent clients for o.duration and collects latencies.
func measure(ctx context.Context, sc scenario, o options) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	lat := make([][]time.Duration, o.workers)
	errs := make([]error, o.workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < maxOpsPerWorker && ctx.Err() == nil; i++ {
				t := time.Now()
				if err := sc.op(ctx, w, i); err != nil {
					if ctx.Err() == nil {
						errs[w] = err
					}
					return
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return result{}, err
		}
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := result{name: sc.name, baseline: sc.baseline, count: len(all), elapsed: elapsed}
	if len(all) > 0 {
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return r, nil
}
