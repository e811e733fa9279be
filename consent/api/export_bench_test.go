package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/api"
)

// benchRows is how many consents the export benchmark streams.
const benchRows = 100_000

// seedBulkSQL writes benchRows opt-outs of acme straight into the ledger and the projection,
// in one statement each, because recording them one by one would take most of the run.
const seedBulkSQL = `
WITH events AS (
	INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, occurred_at, idempotency_key)
	SELECT 'acme', '+1415' || lpad(CAST(g AS text), 7, '0'), 'offers', 'opt_out', 'sms', 'keyword', 'STOP',
		$1, 'bench:' || CAST(g AS text)
	FROM generate_series(1, $2) AS g
	RETURNING business_id, id, phone, category, channel, occurred_at
)
INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
SELECT business_id, phone, category, 'opted_out', channel, occurred_at, id FROM events`

// BenchmarkExport100kRows streams 100k consents through the export endpoint and reports its
// memory next to a plain scan of the same rows measured in the same run: a ratio near 1
// means the export holds no more than one row at a time, whatever the row count.
func BenchmarkExport100kRows(b *testing.B) {
	e := newEnv(b)
	_, err := e.store.DB().ExecContext(context.Background(), seedBulkSQL, testNow, benchRows)
	require.NoError(b, err)
	engine := newEngine(e.store, slog.New(slog.DiscardHandler), api.Options{RateLimit: -1})

	scan := measureMemory(func() {
		rows, err := e.store.DB().QueryContext(context.Background(),
			`SELECT business_id, phone, category, status, channel, updated_at, event_id FROM consents WHERE business_id = 'acme'`)
		require.NoError(b, err)
		defer rows.Close()
		var biz, phone, cat, status, channel string
		var updated time.Time
		var id int64
		n := 0
		for rows.Next() {
			require.NoError(b, rows.Scan(&biz, &phone, &cat, &status, &channel, &updated, &id))
			n++
		}
		require.NoError(b, rows.Err())
		require.Equal(b, benchRows, n)
	})

	for _, format := range []string{"ndjson", "csv"} {
		b.Run(format, func(b *testing.B) {
			var export memoryUse
			for b.Loop() {
				export = measureMemory(func() {
					req := httptest.NewRequest(http.MethodGet, "/v1/export?format="+format, nil)
					req.Header.Set("Authorization", "Bearer "+e.keys[acme])
					w := &discardWriter{header: http.Header{}}
					engine.ServeHTTP(w, req)
					require.Equal(b, http.StatusOK, w.status)
					require.Greater(b, w.bytes, int64(benchRows*40))
				})
			}
			b.ReportMetric(float64(export.allocated)/benchRows, "alloc-B/row")
			b.ReportMetric(float64(export.peakHeap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(scan.peakHeap)/(1<<20), "scan-peak-heap-MiB")
			b.ReportMetric(float64(export.peakHeap)/float64(max(scan.peakHeap, 1)), "peak-heap-x-scan")
			b.ReportMetric(float64(export.allocated)/float64(max(scan.allocated, 1)), "alloc-x-scan")
		})
	}
}

// memoryUse is what one run of a function cost in memory.
type memoryUse struct {
	allocated uint64 // bytes allocated in total
	peakHeap  uint64 // highest heap in use above where it started, sampled
}

// measureMemory runs fn and samples the heap while it runs.
func measureMemory(fn func()) memoryUse {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	startHeap, startAlloc := sample[0].Value.Uint64(), sample[1].Value.Uint64()
	peak := startHeap
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				metrics.Read(s)
				peak = max(peak, s[0].Value.Uint64())
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	metrics.Read(sample)
	return memoryUse{allocated: sample[1].Value.Uint64() - startAlloc, peakHeap: max(peak, sample[0].Value.Uint64()) - startHeap}
}

// discardWriter is a response writer that keeps only the status and the byte count.
type discardWriter struct {
	header http.Header
	status int
	bytes  int64
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.bytes += int64(len(p))
	return len(p), nil
}

func (w *discardWriter) Flush() {}
