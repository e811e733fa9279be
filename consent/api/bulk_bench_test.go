package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/fixtures"
)

// bulkEnv is the demo business with many consents, and the API over them in-process.
type bulkEnv struct {
	url    string // of the database, for psql
	db     *sqlx.DB
	engine *gin.Engine
	key    string
	rows   int
}

// seedSpreadSQL writes $2 consents of acme straight into the ledger and the projection, in
// one statement: 3 categories per phone, 70 % opted in, updated over the year before $1. The
// rows are written in an order unrelated to phone order (g·7919 mod $2 visits every position
// once when $2 is not a multiple of the prime 7919), so the heap is in no phone order, as
// after real traffic, and reading in phone order is not a sequential scan in disguise.
const seedSpreadSQL = `
WITH d AS (
	INSERT INTO disclosures (business_id, channel, language, text, sha256)
	SELECT 'acme', 'sms', 'en-US', t, encode(sha256(convert_to(t, 'UTF8')), 'hex')
	FROM (VALUES ('Reply YES for offers from Acme Outdoor on WhatsApp, up to 4 a month. Reply STOP to opt out.')) AS v(t)
	RETURNING id
), spread AS (
	SELECT (g * 7919) % $2 AS p FROM generate_series(CAST(0 AS bigint), $2 - 1) AS g
), events AS (
	INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, disclosure_id, occurred_at, idempotency_key)
	SELECT 'acme', '+1415' || lpad(CAST(p / 3 AS text), 7, '0'), (ARRAY['order_updates', 'offers', 'restock'])[p % 3 + 1],
		CASE WHEN p % 10 < 7 THEN 'opt_in' ELSE 'opt_out' END, 'sms', 'keyword', 'YES',
		CASE WHEN p % 10 < 7 THEN (SELECT id FROM d) END,
		CAST($1 AS timestamptz) - make_interval(secs => (p * 104729) % 31536000), 'bulk:' || CAST(p AS text)
	FROM spread
	RETURNING business_id, id, phone, category, action, channel, occurred_at
)
INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
SELECT business_id, phone, category, CASE action WHEN 'opt_in' THEN 'opted_in' ELSE 'opted_out' END, channel, occurred_at, id
FROM events`

// newBulkEnv seeds rows consents into a fresh database and vacuums them, as autovacuum
// leaves a table that is mostly read, then serves the API over it with opts.
func newBulkEnv(b *testing.B, rows int, opts api.Options) *bulkEnv {
	b.Helper()
	require.NotZero(b, rows%7919, "seedSpreadSQL needs a row count prime to 7919")
	ctx := context.Background()
	url := pgtest.NewURL(b)
	db, err := sqlx.Open("postgres", url)
	require.NoError(b, err)
	b.Cleanup(func() { db.Close() })
	store := postgres.NewStore(db)
	biz, err := consent.ParseBusinessFile(strings.NewReader(string(fixtures.DemoBusiness)))
	require.NoError(b, err)
	_, err = store.ApplyBusiness(ctx, biz)
	require.NoError(b, err)
	key, _, err := store.CreateAPIKey(ctx, biz.ID, "bench")
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, seedSpreadSQL, testNow, rows)
	require.NoError(b, err)
	vacuumUntilAllVisible(b, db)
	opts.RateLimit = -1
	engine := newEngine(store, slog.New(slog.DiscardHandler), opts)
	return &bulkEnv{url: url, db: db, engine: engine, key: key, rows: rows}
}

// allVisibleSQL reports whether VACUUM found every page of consents visible to every
// transaction, so that an index-only scan need not visit the heap.
const allVisibleSQL = `SELECT relallvisible >= relpages FROM pg_class WHERE oid = CAST('consents' AS regclass)`

// vacuumUntilAllVisible vacuums consents until its visibility map is complete, as autovacuum
// leaves a table that is mostly read. A VACUUM cannot mark rows that a transaction older
// than them (an autovacuum ANALYZE of the seeded ledger, say) might not see, so it may take
// more than one.
func vacuumUntilAllVisible(b *testing.B, db *sqlx.DB) {
	b.Helper()
	for range 100 {
		_, err := db.Exec(`VACUUM (ANALYZE) consents`)
		require.NoError(b, err)
		var done bool
		require.NoError(b, db.Get(&done, allVisibleSQL))
		if done {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatal("consents never became all-visible: is a transaction left open?")
}

// serve runs one request through the engine into w.
func (e *bulkEnv) serve(w http.ResponseWriter, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+e.key)
	e.engine.ServeHTTP(w, req)
}
