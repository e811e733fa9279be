package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
)

// listBenchRows is how many consents the list benchmark pages through.
const listBenchRows = 1_000_000

// listBenchDepth is the row the deep pages start after.
const listBenchDepth = 900_000

// BenchmarkListPagesDeepInTheList asks, in turn, for the first page of 100 consents and for
// the page after row 900k of 1M, for each filter, and reports the p99 latency of each and
// their ratio: x-row0 near 1 means a page costs the same however deep it is. Run it with
// enough pages for a steady p99, e.g. -benchtime 2000x.
func BenchmarkListPagesDeepInTheList(b *testing.B) {
	secret := []byte("bench cursor secret")
	// An hour of key cache, so that no page pays for a key lookup and the pages compare alone.
	e := newBulkEnv(b, listBenchRows, api.Options{CursorSecret: secret, KeyCacheTTL: time.Hour})
	var deep consent.ConsentKey
	require.NoError(b, e.db.QueryRowContext(context.Background(),
		`SELECT phone, category FROM consents WHERE business_id = 'acme' ORDER BY phone, category OFFSET $1 LIMIT 1`,
		listBenchDepth-1).Scan(&deep.Phone, &deep.Category))
	cursor := api.ListCursorAfter(secret, "acme", deep)
	filters := []struct{ name, query string }{
		{"no filter", ""},
		{"status", "status=opted_out"},
		{"category", "category=offers"},
		{"status and category", "status=opted_out&category=offers"},
		{"updated in the last 5 weeks", "updated_since=" + url.QueryEscape(testNow.AddDate(0, 0, -36).Format(time.RFC3339))},
	}
	for _, f := range filters {
		b.Run(f.name, func(b *testing.B) {
			first := "/v1/consents?limit=100&" + f.query
			later := first + "&cursor=" + url.QueryEscape(cursor)
			var atStart, atDepth []time.Duration
			for b.Loop() {
				atStart = append(atStart, e.timePage(b, first))
				atDepth = append(atDepth, e.timePage(b, later))
			}
			p0, pDeep := p99(atStart), p99(atDepth)
			b.ReportMetric(float64(p0.Microseconds())/1000, "p99-row0-ms")
			b.ReportMetric(float64(pDeep.Microseconds())/1000, "p99-row900k-ms")
			b.ReportMetric(pDeep.Seconds()/p0.Seconds(), "x-row0")
		})
	}
}

// timePage asks for one page and says how long the answer took.
func (e *bulkEnv) timePage(b *testing.B, path string) time.Duration {
	w := httptest.NewRecorder()
	start := time.Now()
	e.serve(w, path)
	took := time.Since(start)
	require.Equal(b, http.StatusOK, w.Code, "%s", w.Body)
	return took
}

// p99 is the 99th percentile of ds.
func p99(ds []time.Duration) time.Duration {
	sorted := slices.Sorted(slices.Values(ds))
	return sorted[(len(sorted)*99)/100]
}
