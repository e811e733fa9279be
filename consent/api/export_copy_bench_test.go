package api_test

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/api"
)

// copyBenchRows is how many consents the export is compared with COPY on.
const copyBenchRows = 1_000_000

// The baselines: PostgreSQL writing the same rows as text to psql, which throws them away.
// The first is the plain table read; the second reads in the export's order.
const (
	copyBaselineSQL        = `SELECT phone, category, status, channel, updated_at, event_id FROM consents WHERE business_id = 'acme'`
	copyOrderedBaselineSQL = copyBaselineSQL + ` ORDER BY phone, category`
)

// BenchmarkExportAgainstCopy streams 1M consents as NDJSON through the API and reports its
// rows per second as a ratio to psql running COPY … TO STDOUT over the same rows, measured
// in turn with each export so both see the same machine. x-copy ≥ 1 means the export keeps
// up with PostgreSQL's own bulk output. peak-RSS-MiB is the whole benchmark process's high
// water mark, run it alone (-run '^$' -bench AgainstCopy) for it to mean the export's.
func BenchmarkExportAgainstCopy(b *testing.B) {
	psql := findPsql()
	if psql == "" {
		b.Skip("no psql to measure COPY with (apt-get install postgresql-client)")
	}
	e := newBulkEnv(b, copyBenchRows, api.Options{})
	var exported, copied, copiedOrdered time.Duration
	for b.Loop() {
		b.StopTimer()
		copied += timeCopy(b, psql, e.url, copyBaselineSQL)
		copiedOrdered += timeCopy(b, psql, e.url, copyOrderedBaselineSQL)
		b.StartTimer()
		start := time.Now()
		w := &lineCounter{header: http.Header{}}
		e.serve(w, "/v1/export?format=ndjson")
		exported += time.Since(start)
		require.Equal(b, http.StatusOK, w.status)
		require.Equal(b, copyBenchRows, w.lines)
	}
	rowsPerSecond := func(d time.Duration) float64 { return float64(b.N*copyBenchRows) / d.Seconds() }
	b.ReportMetric(rowsPerSecond(exported), "rows/s")
	b.ReportMetric(rowsPerSecond(copied), "copy-rows/s")
	b.ReportMetric(rowsPerSecond(copiedOrdered), "copy-ordered-rows/s")
	b.ReportMetric(copied.Seconds()/exported.Seconds(), "x-copy")
	b.ReportMetric(copiedOrdered.Seconds()/exported.Seconds(), "x-copy-ordered")
	b.ReportMetric(peakRSSMiB(b), "peak-RSS-MiB")
}

// findPsql returns psql from PATH or from an installed PostgreSQL, or "".
func findPsql() string {
	if p, err := exec.LookPath("psql"); err == nil {
		return p
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
	if len(found) == 0 {
		return ""
	}
	return found[len(found)-1]
}

// timeCopy runs COPY (query) TO STDOUT through psql into /dev/null and says how long it took.
func timeCopy(b *testing.B, psql, url, query string) time.Duration {
	b.Helper()
	cmd := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", "COPY ("+query+") TO STDOUT")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	require.NoError(b, cmd.Run(), "psql: %s", stderr.String())
	return time.Since(start)
}

// peakRSSMiB is the process's peak resident memory (VmHWM), or 0 where /proc has none.
func peakRSSMiB(b *testing.B) float64 {
	b.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			require.NoError(b, err)
			return float64(kb) / 1024
		}
	}
	return 0
}

// lineCounter is a response writer that keeps only the status and the number of lines.
type lineCounter struct {
	header http.Header
	status int
	lines  int
}

func (w *lineCounter) Header() http.Header { return w.header }

func (w *lineCounter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *lineCounter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

func (w *lineCounter) Flush() {}
