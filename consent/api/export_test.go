package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
)

func TestExport(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	tests := []struct {
		name        string
		query       string
		status      int
		contentType string
		lines       []string // NDJSON: phone/category/status; CSV: raw records
	}{
		{"NDJSON by default, every consent in list order", "", 200, "application/x-ndjson",
			[]string{ann + "/offers/opted_out", ann + "/order_updates/opted_in", bob + "/restock/opted_in"}},
		{"NDJSON filtered by status", "?format=ndjson&status=opted_in", 200, "application/x-ndjson",
			[]string{ann + "/order_updates/opted_in", bob + "/restock/opted_in"}},
		{"NDJSON of nothing is empty", "?category=restock&status=opted_out", 200, "application/x-ndjson", nil},
		{"CSV with a header row and phones that spreadsheets keep as text", "?format=csv&category=order_updates", 200, "text/csv; charset=utf-8",
			[]string{"phone,category,status,channel,updated_at,event_id", "'" + ann + ",order_updates,opted_in,ivr,2025-04-11T09:00:00Z,"}},
		{"CSV of nothing has its header", "?format=csv&category=restock&status=opted_out", 200, "text/csv; charset=utf-8",
			[]string{"phone,category,status,channel,updated_at,event_id"}},
		{"an unknown format", "?format=xml", 400, "", nil},
		{"an unknown category", "?category=newsletter", 400, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(acme, "/v1/export"+tt.query)
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			if tt.status != 200 {
				return
			}
			require.Equal(t, tt.contentType, r.Header.Get("Content-Type"))
			if strings.HasPrefix(tt.contentType, "text/csv") {
				requireCSV(t, tt.lines, r.Body)
				return
			}
			got := []string{}
			for _, c := range ndjsonConsents(t, r.Body) {
				got = append(got, c.Phone+"/"+c.Category+"/"+string(c.Status))
			}
			require.Equal(t, append([]string{}, tt.lines...), got)
		})
	}
}

// requireCSV checks the records of body; an expected record ending in a comma is a prefix.
func requireCSV(t *testing.T, want []string, body []byte) {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, len(want))
	for i, rec := range records {
		got := strings.Join(rec, ",")
		if strings.HasSuffix(want[i], ",") {
			require.True(t, strings.HasPrefix(got, want[i]), "record %d: %q", i, got)
		} else {
			require.Equal(t, want[i], got)
		}
	}
}

// ndjsonConsents decodes an NDJSON export.
func ndjsonConsents(t *testing.T, body []byte) []consent.Consent {
	t.Helper()
	var out []consent.Consent
	for line := range strings.Lines(string(body)) {
		var c struct {
			Phone, Category string
			Status          consent.Status
		}
		require.NoError(t, jsonUnmarshal(line, &c))
		out = append(out, consent.Consent{Phone: c.Phone, Category: c.Category, Status: c.Status})
	}
	return out
}

func TestExportOutlivesTheServerWriteTimeout(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	srv := httptest.NewUnstartedServer(newEngine(e.store, slog.New(slog.DiscardHandler), api.Options{}))
	srv.Config.WriteTimeout = time.Nanosecond // passed before any handler writes
	srv.Start()
	t.Cleanup(srv.Close)
	get := func(path string) (*http.Response, error) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e.keys[acme])
		return srv.Client().Do(req)
	}
	_, err := get("/v1/categories")
	require.Error(t, err, "an ordinary answer is cut off by the write timeout")

	res, err := get("/v1/export")
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Len(t, ndjsonConsents(t, body), 3, "the export moves the deadline as it streams")
}

// endlessStore exports the real consents, then made-up ones until the reader gives up, and
// reports how the export ended.
type endlessStore struct {
	*postgres.Store
	failAfter int // when above 0, fail after this many made-up rows
	ended     chan error
}

func (s *endlessStore) ExportConsents(ctx context.Context, businessID string, f consent.ConsentFilter, each func(consent.Consent) error) error {
	err := s.Store.ExportConsents(ctx, businessID, f, each)
	for i := 1; err == nil; i++ {
		if s.failAfter > 0 && i > s.failAfter {
			err = errors.New("database went away")
			break
		}
		err = each(consent.Consent{Phone: fmt.Sprintf("+1415%07d", i%10000000), Category: "offers",
			Status: consent.StatusOptedIn, Channel: consent.ChannelSMS, UpdatedAt: testNow, EventID: int64(i)})
		if err == nil {
			err = ctx.Err()
		}
	}
	s.ended <- err
	return err
}

func TestExportStopsWhenTheClientGoesAway(t *testing.T) {
	e := newEnv(t)
	store := &endlessStore{Store: e.store, ended: make(chan error, 1)}
	srv := httptest.NewServer(newEngine(store, slog.New(slog.DiscardHandler), api.Options{}))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/export?format=csv", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.keys[acme])
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	_, err = io.ReadFull(res.Body, make([]byte, 100<<10))
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())

	select {
	case err := <-store.ended:
		require.Error(t, err, "the export ended because nobody was reading")
	case <-t.Context().Done():
		t.Fatal("the export kept going after the client left")
	}
}

func TestExportThatFailsMidwayBreaksTheResponse(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name      string
		failAfter int
		status    int
	}{
		{"before anything was sent the client gets a 503", 10, http.StatusServiceUnavailable},
		{"after the first part was sent the connection breaks", 5000, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &endlessStore{Store: e.store, failAfter: tt.failAfter, ended: make(chan error, 1)}
			srv := httptest.NewServer(newEngine(store, slog.New(slog.NewTextHandler(t.Output(), nil)), api.Options{}))
			t.Cleanup(srv.Close)
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/export", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+e.keys[acme])
			res, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			require.Equal(t, tt.status, res.StatusCode)
			body, err := io.ReadAll(res.Body)
			if tt.status == http.StatusOK {
				require.Error(t, err, "a cut export must not look complete")
				return
			}
			require.NoError(t, err)
			require.Contains(t, string(body), `"code":"unavailable"`)
			require.Equal(t, "application/json; charset=utf-8", res.Header.Get("Content-Type"))
		})
	}
}
