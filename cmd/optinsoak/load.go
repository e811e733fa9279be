package main

import (
	"context"
	"sync"
	"time"
)

// runLoad runs workers, each doing op after op, pace apart, until stop is closed or ctx
// ends. A worker finishes the operation it is doing before it stops, so every write sent has
// its answer recorded. It returns once every worker has stopped.
func runLoad(ctx context.Context, workers int, pace time.Duration, stop <-chan struct{}, op func(ctx context.Context, w, i int)) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Workers start spread over one pace, not all at once.
			if !wait(ctx, stop, pace*time.Duration(w)/time.Duration(workers)) {
				return
			}
			for i := 0; ; i++ {
				op(ctx, w, i)
				if !wait(ctx, stop, pace) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// wait sleeps for d; false when stop closed or ctx ended first.
func wait(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return false
	case <-ctx.Done():
		return false
	}
}

// sleep waits for d or until ctx ends, returning ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// forEach runs do for 0…n-1 on workers goroutines and returns when all are done.
func forEach(ctx context.Context, n, workers int, do func(ctx context.Context, i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				do(ctx, i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
