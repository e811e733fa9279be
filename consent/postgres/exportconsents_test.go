package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

// exportFixtureSQL writes consents of acme straight into the ledger and the projection: $1
// phones, $2 categories, $3 statuses, $4 times, one consent per position, event ids in order.
const exportFixtureSQL = `
WITH rows AS (
	SELECT * FROM unnest(CAST($1 AS text[]), CAST($2 AS text[]), CAST($3 AS text[]), CAST($4 AS timestamptz[]))
		AS r(phone, category, status, at)
), events AS (
	INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, occurred_at, idempotency_key)
	SELECT 'acme', phone, category, 'opt_out', 'sms', 'keyword', 'STOP', at, 'export:' || phone || ':' || category FROM rows
	RETURNING id, phone, category, occurred_at
)
INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
SELECT 'acme', e.phone, e.category, r.status, 'sms', e.occurred_at, e.id
FROM events e JOIN rows r USING (phone, category)`

// exportFixture holds four consents of acme whose times test the binary timestamps: before
// 2000, with microseconds, on the second, and far ahead.
func exportFixture(t *testing.T) *postgres.Store {
	t.Helper()
	s, _ := storeWithAcme(t)
	times := []time.Time{
		time.Date(1999, 12, 31, 23, 59, 59, 999_999_000, time.UTC),
		time.Date(2025, 4, 11, 9, 30, 15, 123_456_000, time.UTC),
		time.Date(2025, 4, 11, 9, 0, 0, 0, time.UTC),
		time.Date(2199, 1, 1, 0, 0, 0, 1_000, time.UTC),
	}
	_, err := s.DB().ExecContext(context.Background(), exportFixtureSQL,
		[]string{"+14155550103", "+14155550101", "+14155550102", "+14155550101"},
		[]string{"offers", "order_updates", "restock", "offers"},
		[]string{"opted_out", "opted_in", "opted_out", "opted_in"}, times)
	require.NoError(t, err)
	return s
}

func exportAll(t *testing.T, s *postgres.Store, f consent.ConsentFilter) []consent.Consent {
	t.Helper()
	got := []consent.Consent{}
	require.NoError(t, s.ExportConsents(context.Background(), "acme", f, func(c consent.Consent) error {
		got = append(got, c)
		return nil
	}))
	return got
}

func TestAnExportHoldsWhatAListShowsInTheSameOrder(t *testing.T) {
	s := exportFixture(t)
	filters := map[string]consent.ConsentFilter{
		"everything":    {},
		"one category":  {Category: "offers"},
		"one status":    {Status: consent.StatusOptedIn},
		"updated since": {UpdatedSince: time.Date(2025, 4, 11, 9, 0, 0, 0, time.UTC)},
		"every filter":  {Category: "offers", Status: consent.StatusOptedIn, UpdatedSince: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)},
		"nothing":       {Category: "restock", Status: consent.StatusOptedIn},
	}
	for name, f := range filters {
		t.Run(name, func(t *testing.T) {
			list, err := s.ListConsents(context.Background(), "acme", f, consent.ConsentKey{}, 100)
			require.NoError(t, err)
			require.Equal(t, list, exportAll(t, s, f))
		})
	}
}

func TestAnExportKeepsTimesToTheMicrosecondInUTC(t *testing.T) {
	s := exportFixture(t)
	var got []string
	for _, c := range exportAll(t, s, consent.ConsentFilter{}) {
		require.Equal(t, time.UTC, c.UpdatedAt.Location())
		got = append(got, c.Phone+"/"+c.Category+" "+c.UpdatedAt.Format(time.RFC3339Nano))
	}
	require.Equal(t, []string{
		"+14155550101/offers 2199-01-01T00:00:00.000001Z",
		"+14155550101/order_updates 2025-04-11T09:30:15.123456Z",
		"+14155550102/restock 2025-04-11T09:00:00Z",
		"+14155550103/offers 1999-12-31T23:59:59.999999Z",
	}, got)
}

func TestAnExportStopsAtTheFirstErrorOfItsCallback(t *testing.T) {
	s := exportFixture(t)
	stop := context.Canceled
	calls := 0
	err := s.ExportConsents(context.Background(), "acme", consent.ConsentFilter{}, func(consent.Consent) error {
		calls++
		return stop
	})
	require.Equal(t, stop, err, "the callback's error comes back as it was")
	require.Equal(t, 1, calls)
	require.Len(t, exportAll(t, s, consent.ConsentFilter{}), 4, "the connection is fit for the next export")
}

func TestAnExportEndsWithItsContext(t *testing.T) {
	s := exportFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := s.ExportConsents(ctx, "acme", consent.ConsentFilter{}, func(consent.Consent) error {
		calls++
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, calls)
}
