package main

import (
	"context"
	"fmt"
	"math"
	"time"
)

// exportNDJSON streams every consent of the seeded business through GET /v1/export, counting
// the lines, from a server running alone in a child process (`optinbench serve`) so that its
// resident memory is the export's, not the load generator's or the earlier figures' garbage.
// It reports rows/s (best of the runs) and the child's peak resident set (VmHWM).
func (e *env) exportNDJSON() step {
	return step{name: "export_ndjson", needs: []string{"copy_to_stdout"}, big: true, run: func(ctx context.Context) ([]figure, error) {
		child, err := startChild(ctx, e.dbURL)
		if err != nil {
			return nil, err
		}
		defer child.stop()
		idle, _, err := child.memoryKB()
		if err != nil {
			return nil, err
		}
		c := newClient(child.base, 1)
		best := time.Duration(math.MaxInt64)
		for range e.opts.exportRuns {
			runCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			lines := &lineCounter{}
			start := time.Now()
			_, err := c.getTo(runCtx, "/v1/export?format=ndjson", e.bigKey, lines)
			elapsed := time.Since(start)
			cancel()
			if err != nil {
				return nil, err
			}
			if lines.n != e.seeded.rows {
				return nil, fmt.Errorf("the export held %d lines, the table %d rows", lines.n, e.seeded.rows)
			}
			best = min(best, elapsed)
		}
		_, peak, err := child.memoryKB()
		if err != nil {
			return nil, err
		}
		mb := func(kb int64) float64 { return float64(kb) / 1024 }
		return []figure{
			{name: "export_ndjson", value: float64(e.seeded.rows) / best.Seconds(), unit: "rows/s",
				note: fmt.Sprintf("GET /v1/export, %d rows, best of %d, child server", e.seeded.rows, e.opts.exportRuns)},
			{name: "export_rss", value: mb(peak), unit: "MB",
				note: fmt.Sprintf("child server peak RSS (VmHWM); %.1f MB before the export", mb(idle))},
		}, nil
	}}
}
