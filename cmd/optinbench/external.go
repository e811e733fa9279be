package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// findClient finds a PostgreSQL client program on PATH or where Debian installs each
// version's binaries, newest first; "" when there is none.
func findClient(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	found, _ := filepath.Glob(filepath.Join("/usr/lib/postgresql/*/bin", name))
	slices.SortFunc(found, func(a, b string) int { return versionOf(b) - versionOf(a) })
	if len(found) == 0 {
		return ""
	}
	return found[0]
}

func versionOf(binary string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(binary))))
	return v
}

// copySQL reads what the export reads, in the same order, as PostgreSQL's own text format.
const copySQL = `COPY (SELECT business_id, phone, category, status, channel, updated_at, event_id FROM consents
WHERE business_id = '` + bigBusinessID + `' ORDER BY phone, category) TO STDOUT`

// copyOnce times psql running COPY … TO STDOUT of the export's rows, counting the lines it
// prints. lib/pq only copies into the database, so the client is psql, started afresh and
// connected like the service.
func (e *env) copyOnce(ctx context.Context, psql string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	lines := &lineCounter{}
	cmd := exec.CommandContext(ctx, psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", e.dbURL, "-c", copySQL)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = lines, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("psql: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	if lines.n != e.seeded.rows {
		return 0, fmt.Errorf("COPY printed %d rows, the table holds %d", lines.n, e.seeded.rows)
	}
	return elapsed, nil
}

// lineCounter counts the lines written to it and keeps nothing.
type lineCounter struct{ n int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// pgbenchScript is the direct_txn transaction for pgbench: the same two statements, the phone
// drawn at random from an area of its own, the idempotency key from the client and a draw.
const pgbenchScript = `\set p random(2000000, 9999999)
\set r random(1, 1000000000000000)
BEGIN;
INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, provider_ref,
	occurred_at, idempotency_key)
VALUES (:business, '+1929' || :p, 'offers', 'opt_out', 'sms', 'keyword', 'STOP', 'SMpgbench', now(),
	'pgbench:' || :client_id || ':' || :r)
RETURNING id AS event_id \gset
INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
VALUES (:business, '+1929' || :p, 'offers', 'opted_out', 'sms', now(), :event_id)
ON CONFLICT (business_id, phone, category) DO UPDATE SET
	status = EXCLUDED.status, channel = EXCLUDED.channel, updated_at = EXCLUDED.updated_at, event_id = EXCLUDED.event_id
WHERE (consents.updated_at, consents.event_id) < (EXCLUDED.updated_at, EXCLUDED.event_id);
END;
`

var pgbenchTPS = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)

// pgbenchTxn runs the direct_txn transaction through pgbench (-M prepared, the same clients,
// whole seconds of the same window), when pgbench is installed.
func (e *env) pgbenchTxn() step {
	return step{name: "pgbench_txn", run: func(ctx context.Context) ([]figure, error) {
		pgbench := findClient("pgbench")
		if pgbench == "" {
			return []figure{{name: "pgbench_txn", note: "skipped: pgbench not found on PATH or under /usr/lib/postgresql/*/bin"}}, nil
		}
		dir, err := os.MkdirTemp("", "optinbench-pgbench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		script := filepath.Join(dir, "stop.sql")
		if err := os.WriteFile(script, []byte(pgbenchScript), 0o600); err != nil {
			return nil, err
		}
		secs := max(1, int(math.Round(e.opts.duration.Seconds())))
		runCtx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+time.Minute)
		defer cancel()
		cmd := exec.CommandContext(runCtx, pgbench, "-n", "-M", "prepared", "-c", strconv.Itoa(e.opts.workers),
			"-j", strconv.Itoa(min(e.opts.workers, runtime.NumCPU())), "-T", strconv.Itoa(secs),
			"-D", "business="+e.biz.direct.ID, "-f", script, e.dbURL)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("pgbench: %w: %s", err, lastLines(out, 5))
		}
		m := pgbenchTPS.FindSubmatch(out)
		if m == nil || bytes.Contains(out, []byte("aborted")) {
			return nil, fmt.Errorf("pgbench printed no clean tps: %s", lastLines(out, 5))
		}
		tps, _ := strconv.ParseFloat(string(m[1]), 64)
		return []figure{{name: "pgbench_txn", value: tps, unit: "txn/s",
			note: fmt.Sprintf("pgbench -M prepared -c %d -T %d, same two statements", e.opts.workers, secs)}}, nil
	}}
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}
