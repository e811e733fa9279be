package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

// imported is an imported opt-out of phone from category at minute m after t0, under key.
func imported(key, category string, action consent.Action, m int) consent.Event {
	e := consent.Event{
		BusinessID: "acme", Phone: phone, Category: category, Action: action,
		Channel: consent.ChannelPaper, Reason: consent.ReasonImport,
		Evidence:       map[string]any{"import": map[string]any{"key": key}},
		OccurredAt:     t0.Add(time.Duration(m) * time.Minute),
		IdempotencyKey: "import:" + key,
	}
	if action == consent.ActionOptIn {
		d := consent.NewDisclosure("acme", consent.ChannelPaper, "en-US", "Acme Outdoor offers on WhatsApp. Reply STOP to opt out.")
		e.Disclosure = &d
	}
	return e
}

// statusOf is the current status of phone for category, or "" when there is none.
func statusOf(t *testing.T, s *postgres.Store, category string) consent.Status {
	t.Helper()
	consents, err := s.ConsentsOf(context.Background(), "acme", phone)
	require.NoError(t, err)
	for _, c := range consents {
		if c.Category == category {
			return c.Status
		}
	}
	return ""
}

// consentsNotTheLatestEventSQL counts the (phone, category) pairs of a business whose current
// state is not the ledger's latest event by (occurred_at, id): the consents invariant.
const consentsNotTheLatestEventSQL = `
WITH latest AS (
	SELECT DISTINCT ON (phone, category) phone, category, id,
		CASE action WHEN 'opt_in' THEN 'opted_in' ELSE 'opted_out' END AS status, occurred_at
	FROM consent_events WHERE business_id = $1
	ORDER BY phone, category, occurred_at DESC, id DESC
)
SELECT count(*) FROM latest l
FULL JOIN (SELECT * FROM consents WHERE business_id = $1) c ON c.phone = l.phone AND c.category = l.category
WHERE c.event_id IS DISTINCT FROM l.id OR c.status IS DISTINCT FROM l.status OR c.updated_at IS DISTINCT FROM l.occurred_at`

// assertConsentsAreTheLatestEvents checks the consents invariant over the whole business.
func assertConsentsAreTheLatestEvents(t *testing.T, s *postgres.Store, try int) {
	t.Helper()
	var wrong int
	require.NoError(t, s.DB().GetContext(context.Background(), &wrong, consentsNotTheLatestEventSQL, "acme"))
	assert.Zero(t, wrong, "try %d: consents that are not the ledger's latest event by (occurred_at, id)", try)
}

func TestAReimportRecordsNothingTwice(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	rows := []consent.Event{imported("a", "offers", consent.ActionOptIn, 1), imported("b", "restock", consent.ActionOptOut, 2)}
	n, err := s.ImportEvents(ctx, "acme", rows)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = s.ImportEvents(ctx, "acme", rows)
	require.NoError(t, err)
	assert.Zero(t, n)
	events, err := s.Evidence(ctx, "acme", phone)
	require.NoError(t, err)
	assert.Len(t, events, 2)
	assert.Equal(t, consent.ReasonImport, events[0].Reason)
}

func TestAnImportedRowOlderThanTheStateIsKeptButDoesNotChangeIt(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	_, err := s.Record(ctx, []consent.Event{optOut("offers", 10)})
	require.NoError(t, err)
	n, err := s.ImportEvents(ctx, "acme", []consent.Event{imported("old", "offers", consent.ActionOptIn, 5)})
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the old row is in the ledger")
	assert.Equal(t, consent.StatusOptedOut, statusOf(t, s, "offers"), "the STOP at minute 10 still decides")
	assertConsentsAreTheLatestEvents(t, s, 0)
}

func TestAnImportedRowNewerThanTheStateChangesIt(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	_, err := s.Record(ctx, []consent.Event{optOut("offers", 10)})
	require.NoError(t, err)
	_, err = s.ImportEvents(ctx, "acme", []consent.Event{imported("new", "offers", consent.ActionOptIn, 20)})
	require.NoError(t, err)
	assert.Equal(t, consent.StatusOptedIn, statusOf(t, s, "offers"))
	assertConsentsAreTheLatestEvents(t, s, 0)
}

func TestRowsOfOnePersonInOneUnitEndInTheNewestWhateverTheirOrder(t *testing.T) {
	s, _ := storeWithAcme(t)
	_, err := s.ImportEvents(context.Background(), "acme", []consent.Event{
		imported("late", "offers", consent.ActionOptOut, 30),
		imported("early", "offers", consent.ActionOptIn, 1),
		imported("middle", "offers", consent.ActionOptIn, 15),
	})
	require.NoError(t, err)
	assert.Equal(t, consent.StatusOptedOut, statusOf(t, s, "offers"))
	assertConsentsAreTheLatestEvents(t, s, 0)
}

func TestAnImportedOptInWithoutDisclosureNeedsItsEvidenceToSaySo(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	unmarked := imported("bare", "offers", consent.ActionOptIn, 1)
	unmarked.Disclosure = nil
	_, err := s.ImportEvents(ctx, "acme", []consent.Event{unmarked})
	require.ErrorIs(t, err, consent.ErrInvalid)

	marked := unmarked
	marked.Evidence = map[string]any{"import": map[string]any{"key": "bare", "disclosure_missing": true}}
	n, err := s.ImportEvents(ctx, "acme", []consent.Event{marked})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, consent.StatusOptedIn, statusOf(t, s, "offers"))
}

func TestAnImportWaitsForTheBusinessLedgerLock(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	holder, err := s.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer holder.Rollback()
	_, err = holder.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext('acme'))`, 0x6f70)
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		_, err := s.ImportEvents(ctx, "acme", []consent.Event{imported("a", "offers", consent.ActionOptOut, 1)})
		done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for waiting := 0; waiting == 0; {
		select {
		case err := <-done:
			t.Fatalf("the import finished (err=%v) while another writer held the business's ledger lock", err)
		default:
		}
		require.NoError(t, s.DB().GetContext(ctx, &waiting, waitingForLedgerLockSQL))
		require.True(t, time.Now().Before(deadline), "the import neither waited nor finished")
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, holder.Rollback())
	require.NoError(t, <-done)
}

func TestAnImportForAnUnknownCategoryRecordsNothing(t *testing.T) {
	s, _ := storeWithAcme(t)
	_, err := s.ImportEvents(context.Background(), "acme", []consent.Event{
		imported("a", "offers", consent.ActionOptOut, 1), imported("b", "newsletter", consent.ActionOptOut, 1)})
	require.ErrorIs(t, err, consent.ErrUnknownCategory)
	assert.Equal(t, consent.Status(""), statusOf(t, s, "offers"))
}

func TestImportedEventsAreAppendedInTheOrderGiven(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	var rows []consent.Event
	for i := range 20 {
		rows = append(rows, imported(fmt.Sprintf("k%02d", i), "offers", consent.ActionOptOut, 20-i))
	}
	_, err := s.ImportEvents(ctx, "acme", rows)
	require.NoError(t, err)
	feed, err := s.EventsAfter(ctx, "acme", 0, 100)
	require.NoError(t, err)
	require.Len(t, feed, 20)
	for i, e := range feed {
		assert.Equal(t, rows[i].OccurredAt, e.OccurredAt, "event %d", i)
	}
}

func TestAnImportWithACategoryTheBusinessDoesNotHaveRecordsNothing(t *testing.T) {
	s, _ := storeWithAcme(t)
	n, err := s.ImportEvents(context.Background(), "acme", []consent.Event{
		imported("good", "offers", consent.ActionOptOut, 1),
		imported("bad", "no_such_category", consent.ActionOptOut, 2),
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, consent.ErrUnknownCategory)
	assert.ErrorIs(t, err, consent.ErrInvalid)
	assert.Zero(t, n)
	assert.Empty(t, statusOf(t, s, "offers"), "nothing of the unit is recorded")
}
