package main

import (
	"context"
	"fmt"
)

// baseline is a load that other figures are divided by. It is measured twice, before and after
// the figures compared with it, and both windows count as one: on shared, drifting cores that
// brackets the figures in between, and the note shows how far the two windows differ.
type baseline struct {
	name, unit, note string
	compare          string // the figure this baseline is itself shown against, if any
	measure          func(ctx context.Context) (loadResult, error)
}

// bracket returns the steps that measure b before and after its group.
func bracket(b baseline) (before, after step) {
	var first loadResult
	fig := func(r loadResult, note string) figure {
		return figure{name: b.name, value: r.perSecond(), unit: b.unit, p50: r.p50, p99: r.p99, baseline: b.compare, note: note}
	}
	before = step{name: b.name, run: func(ctx context.Context) ([]figure, error) {
		r, err := b.measure(ctx)
		if err != nil {
			return nil, err
		}
		first = r
		return []figure{fig(r, b.note)}, nil
	}}
	after = step{name: b.name + " (again)", repeats: b.name, run: func(ctx context.Context) ([]figure, error) {
		r, err := b.measure(ctx)
		if err != nil {
			return nil, err
		}
		drift := 100 * (r.perSecond()/first.perSecond() - 1)
		note := fmt.Sprintf("%s; %.0f before, %.0f after (%+.0f%%)", b.note, first.perSecond(), r.perSecond(), drift)
		return []figure{fig(merge(first, r), note)}, nil
	}}
	return before, after
}

// httpBaseline is a bare route through the same engine and middleware as every other figure.
func (e *env) httpBaseline() baseline {
	return baseline{name: "baseline_http", unit: "req/s", note: "GET /healthz", measure: func(ctx context.Context) (loadResult, error) {
		l := load{op: func(ctx context.Context, _, _ int) error { return e.client.get(ctx, "/healthz", "") }}
		return runLoad(ctx, l, e.opts.workers, e.opts.warmup, e.opts.duration)
	}}
}
