package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/api"
)

// Sizes of the decision benchmark: people with an offers consent, of whom every other wrote
// on WhatsApp in the last two days, and the batch asked about.
const (
	decisionBenchPeople = 200_000
	decisionBenchBatch  = 1000
)

// seedDecisionPeopleSQL gives $2 people (+1415 200 0000 on) a consent to offers, 70 % opted
// in, and every other one a WhatsApp message in the two days before $1.
const seedDecisionPeopleSQL = `
WITH d AS (
	INSERT INTO disclosures (business_id, channel, language, text, sha256)
	SELECT 'acme', 'whatsapp', 'en-US', t, encode(sha256(convert_to(t, 'UTF8')), 'hex')
	FROM (VALUES ('Reply YES for offers from Acme Outdoor on WhatsApp, up to 4 a month. Reply STOP to opt out.')) AS v(t)
	RETURNING id
), events AS (
	INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, disclosure_id, occurred_at, idempotency_key)
	SELECT 'acme', '+1415' || CAST(2000000 + g AS text), 'offers', CASE WHEN g % 10 < 7 THEN 'opt_in' ELSE 'opt_out' END,
		'whatsapp', 'keyword', 'YES', CASE WHEN g % 10 < 7 THEN (SELECT id FROM d) END,
		CAST($1 AS timestamptz) - make_interval(secs => g), 'decisions:' || CAST(g AS text)
	FROM generate_series(0, $2 - 1) AS g
	RETURNING business_id, id, phone, category, action, channel, occurred_at
), projected AS (
	INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
	SELECT business_id, phone, category, CASE action WHEN 'opt_in' THEN 'opted_in' ELSE 'opted_out' END, channel, occurred_at, id
	FROM events
)
INSERT INTO inbound_messages (business_id, provider_ref, phone, channel, received_at)
SELECT 'acme', 'SMdecisions' || CAST(g AS text), '+1415' || CAST(2000000 + g AS text), 'whatsapp',
	CAST($1 AS timestamptz) - make_interval(mins => g % 2880)
FROM generate_series(0, $2 - 1, 2) AS g`

// directDecisionSQL is what a sender would run against the database itself for the same
// answer: each phone's consent to the category and last message on the channel, in order.
const directDecisionSQL = `
SELECT p.phone, c.status, c.channel, c.updated_at, c.event_id,
	(SELECT max(m.received_at) FROM inbound_messages m
	 WHERE m.business_id = $1 AND m.phone = p.phone AND m.channel = $4) AS last_inbound
FROM unnest(CAST($2 AS text[])) WITH ORDINALITY AS p(phone, n)
LEFT JOIN consents c ON c.business_id = $1 AND c.phone = p.phone AND c.category = $3
ORDER BY p.n`

// BenchmarkDecisionsAgainstDirectSQL asks POST /v1/decisions about 1000 phones (9 in 10 of
// them known) through the engine and, in turn, runs the equivalent SQL, prepared, on the same
// pool, reading every column. It reports the median of each and x-direct = direct / API: the
// API's rate as a share of the database's own; 0.5 means the API answers a batch in twice the
// time the bare statement takes. "the same audience again" asks about the same 1000 phones
// every time, as a sender does before each send to a list; "a new audience each time" asks
// about phones the API has not seen yet, as long as -benchtime stays at most 200x.
func BenchmarkDecisionsAgainstDirectSQL(b *testing.B) {
	e := newBulkEnv(b, 100_003, api.Options{KeyCacheTTL: time.Hour})
	ctx := context.Background()
	_, err := e.db.ExecContext(ctx, seedDecisionPeopleSQL, testNow, decisionBenchPeople)
	require.NoError(b, err)
	_, err = e.db.ExecContext(ctx, `VACUUM (ANALYZE) inbound_messages`)
	require.NoError(b, err)
	vacuumUntilAllVisible(b, e.db)
	direct, err := e.db.PreparexContext(ctx, directDecisionSQL)
	require.NoError(b, err)
	b.Cleanup(func() { direct.Close() })

	// Every phone once, in random order: the seeded people and a ninth as many strangers.
	pool := make([]string, decisionBenchPeople*10/9)
	for i := range pool {
		pool[i] = fmt.Sprintf("+1415%d", 2000000+i)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	batch := func(n int) []string {
		from := (n * decisionBenchBatch) % (len(pool) - decisionBenchBatch)
		return pool[from : from+decisionBenchBatch]
	}
	for _, audience := range []struct {
		name string
		next func(n int) []string
	}{
		{"the same audience again", func(int) []string { return batch(0) }},
		{"a new audience each time", func(n int) []string { return batch(n + 1) }},
	} {
		b.Run(audience.name, func(b *testing.B) {
			var viaAPI, viaSQL []time.Duration
			for n := 0; b.Loop(); n++ {
				phones := audience.next(n)
				body, err := json.Marshal(map[string]any{"channel": "whatsapp", "category": "offers", "phones": phones})
				require.NoError(b, err)
				viaAPI = append(viaAPI, e.timeDecisions(b, body))
				viaSQL = append(viaSQL, timeDirectDecisions(b, direct, phones))
			}
			a, d := median(viaAPI), median(viaSQL)
			b.ReportMetric(float64(a.Microseconds())/1000, "api-ms/batch")
			b.ReportMetric(float64(d.Microseconds())/1000, "sql-ms/batch")
			b.ReportMetric(d.Seconds()/a.Seconds(), "x-direct")
		})
	}
}

// timeDecisions posts one batch through the engine and says how long the answer took.
func (e *bulkEnv) timeDecisions(b *testing.B, body []byte) time.Duration {
	req := httptest.NewRequest(http.MethodPost, "/v1/decisions", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.key)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	start := time.Now()
	e.engine.ServeHTTP(w, req)
	took := time.Since(start)
	require.Equal(b, http.StatusOK, w.Code, "%s", w.Body)
	return took
}

// timeDirectDecisions runs the direct statement for phones, scanning every column of every
// row, and says how long it took.
func timeDirectDecisions(b *testing.B, st *sqlx.Stmt, phones []string) time.Duration {
	start := time.Now()
	rows, err := st.QueryContext(context.Background(), "acme", pq.Array(phones), "offers", "whatsapp")
	require.NoError(b, err)
	n := 0
	for rows.Next() {
		var (
			phone            string
			status, channel  sql.NullString
			updated, inbound sql.NullTime
			eventID          sql.NullInt64
		)
		require.NoError(b, rows.Scan(&phone, &status, &channel, &updated, &eventID, &inbound))
		n++
	}
	require.NoError(b, rows.Err())
	took := time.Since(start)
	require.Equal(b, len(phones), n)
	return took
}

// median is the middle of ds.
func median(ds []time.Duration) time.Duration {
	sorted := slices.Sorted(slices.Values(ds))
	return sorted[len(sorted)/2]
}
