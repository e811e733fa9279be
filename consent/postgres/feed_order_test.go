package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// waitingForLedgerLockSQL counts sessions of this database waiting for an advisory lock.
const waitingForLedgerLockSQL = `
SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND NOT granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`

func TestFeedNeverSkipsAnEventCommittedOutOfOrder(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()

	// A first writer takes an event id and has not committed yet.
	first, err := s.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer first.Rollback()
	_, err = s.RecordInTx(ctx, first, []consent.Event{optOut("offers", 1)})
	require.NoError(t, err)

	// A second writer of the same business must wait for it, rather than commit a higher id
	// that a client following the feed would walk past the first one with.
	second := make(chan error, 1)
	go func() {
		_, err := s.Record(ctx, []consent.Event{optOut("restock", 2)})
		second <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for waiting := 0; waiting == 0; {
		select {
		case err := <-second:
			t.Fatalf("the second writer committed (err=%v) while the first still held an unpublished event id", err)
		default:
		}
		require.NoError(t, s.DB().GetContext(ctx, &waiting, waitingForLedgerLockSQL))
		require.True(t, time.Now().Before(deadline), "the second writer neither waited nor finished")
		time.Sleep(10 * time.Millisecond)
	}
	feed, err := s.EventsAfter(ctx, "acme", 0, 100)
	require.NoError(t, err)
	assert.Empty(t, feed, "nothing is published while the earlier id is uncommitted")

	require.NoError(t, first.Commit())
	require.NoError(t, <-second)
	feed, err = s.EventsAfter(ctx, "acme", 0, 100)
	require.NoError(t, err)
	require.Len(t, feed, 2)
	assert.Equal(t, "offers", feed[0].Category, "ids follow commit order")
	assert.Less(t, feed[0].ID, feed[1].ID)
}

func TestLedgersOfDifferentBusinessesDoNotWaitForEachOther(t *testing.T) {
	s, b := storeWithAcme(t)
	ctx := context.Background()
	other := b
	other.ID, other.Name, other.Numbers = "rival", "Rival Outdoor", []string{"+14155550199"}
	_, err := s.ApplyBusiness(ctx, other)
	require.NoError(t, err)

	first, err := s.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer first.Rollback()
	_, err = s.RecordInTx(ctx, first, []consent.Event{optOut("offers", 1)})
	require.NoError(t, err)

	e := optOut("offers", 2)
	e.BusinessID = "rival"
	// Bounded so that a lock shared across businesses fails here instead of hanging the suite.
	bounded, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = s.Record(bounded, []consent.Event{e})
	require.NoError(t, err, "another business's append completes while acme's is open")
}
