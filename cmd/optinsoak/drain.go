package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// spoolDepthMetric is the gauge of opt-outs held in the spool, waiting for PostgreSQL.
const spoolDepthMetric = "optin_spool_depth"

// waitDrained waits until every service answers /readyz 200 and reports a spool depth of 0,
// up to limit. It returns how long that took, or -1 and what was still wrong.
func (s *stage) waitDrained(ctx context.Context, c *client, svcs []*service, limit time.Duration) (time.Duration, string) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		problem := ""
		for _, svc := range svcs {
			if problem = drainProblem(ctx, c, svc); problem != "" {
				break
			}
		}
		if problem == "" {
			return time.Since(start), ""
		}
		if strings.HasPrefix(problem, "no "+spoolDepthMetric) {
			return -1, problem // the metric will not appear by waiting
		}
		if sleep(ctx, 200*time.Millisecond) != nil {
			return -1, problem
		}
	}
}

// drainProblem says why svc is not drained yet; "" when it is.
func drainProblem(ctx context.Context, c *client, svc *service) string {
	ready := c.get(ctx, svc, "/readyz")
	if ready.status != http.StatusOK {
		return fmt.Sprintf("%s /readyz answered %s", svc.spec.name, ready.describe())
	}
	m := c.get(ctx, svc, "/metrics")
	if m.status != http.StatusOK {
		return fmt.Sprintf("%s /metrics answered %s", svc.spec.name, m.describe())
	}
	depth, ok := metricValue(m.body, spoolDepthMetric)
	switch {
	case !ok:
		return fmt.Sprintf("no %s in the /metrics of %s", spoolDepthMetric, svc.spec.name)
	case depth != 0:
		return fmt.Sprintf("%s holds %v spooled entries", svc.spec.name, depth)
	}
	return ""
}

// metricValue sums the samples of one metric in the Prometheus text format; false when it
// has none.
func metricValue(text []byte, name string) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sum, found := 0.0, false
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '{') {
			continue // a comment, another metric, or one whose name only starts the same
		}
		if i := strings.LastIndexByte(rest, '}'); i >= 0 {
			rest = rest[i+1:]
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		sum, found = sum+v, true
	}
	return sum, found
}
