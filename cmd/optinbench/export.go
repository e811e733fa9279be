package main

import (
	"context"
	"fmt"
	"math"
	"time"
)

// exportNDJSON streams every consent of the seeded business through GET /v1/export, counting
// the lines, and times COPY … TO STDOUT of the same rows through psql, the two taking turns so
// that both see the same machine. The export is served by a server alone in a child process
// (`optinbench serve`), so that the resident memory read from it is the export's, not the load
// generator's or the earlier figures' garbage. It reports rows/s of each (best run) and the
// child's peak resident set (VmHWM).
func (e *env) exportNDJSON() step {
	return step{name: "export_ndjson", also: []string{"copy_to_stdout", "export_rss"}, big: true, run: func(ctx context.Context) ([]figure, error) {
		psql := findClient("psql")
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
		bestCopy, bestExport := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
		for range e.opts.exportRuns {
			if psql != "" {
				d, err := e.copyOnce(ctx, psql)
				if err != nil {
					return nil, err
				}
				bestCopy = min(bestCopy, d)
			}
			d, err := e.exportOnce(ctx, c)
			if err != nil {
				return nil, err
			}
			bestExport = min(bestExport, d)
		}
		_, peak, err := child.memoryKB()
		if err != nil {
			return nil, err
		}
		rows, runs := e.seeded.rows, e.opts.exportRuns
		copyFig := figure{name: "copy_to_stdout", note: "skipped: psql not found on PATH or under /usr/lib/postgresql/*/bin"}
		if psql != "" {
			copyFig = figure{name: "copy_to_stdout", value: float64(rows) / bestCopy.Seconds(), unit: "rows/s",
				note: fmt.Sprintf("psql COPY (SELECT …) TO STDOUT, %d rows, best of %d", rows, runs)}
		}
		mb := func(kb int64) float64 { return float64(kb) / 1024 }
		return []figure{copyFig,
			{name: "export_ndjson", value: float64(rows) / bestExport.Seconds(), unit: "rows/s",
				note: fmt.Sprintf("GET /v1/export, %d rows, best of %d, child server", rows, runs)},
			{name: "export_rss", value: mb(peak), unit: "MB",
				note: fmt.Sprintf("child server's peak RSS (VmHWM); %.1f MB before the first export", mb(idle))},
		}, nil
	}}
}

// exportOnce times one NDJSON export and checks it held every seeded row.
func (e *env) exportOnce(ctx context.Context, c *client) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	lines := &lineCounter{}
	start := time.Now()
	if _, err := c.getTo(ctx, "/v1/export?format=ndjson", e.bigKey, lines); err != nil {
		return 0, err
	}
	elapsed := time.Since(start)
	if lines.n != e.seeded.rows {
		return 0, fmt.Errorf("the export held %d lines, the table %d rows", lines.n, e.seeded.rows)
	}
	return elapsed, nil
}
