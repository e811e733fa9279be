package spool_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/consent/spool"
	"github.com/optin/optin/fixtures"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// ledger is a store holding the demo business, reached through a proxy the test can break.
func ledger(t *testing.T) (*postgres.Store, *pgtest.Proxy) {
	t.Helper()
	proxy, url := pgtest.NewProxy(t, pgtest.NewURL(t))
	s, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	require.NoError(t, err)
	_, err = s.ApplyBusiness(context.Background(), b)
	require.NoError(t, err)
	return s, proxy
}

// replaying runs the spool's replay until the test ends.
func replaying(t *testing.T, sp *spool.Spool, store spool.Committer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sp.Run(ctx, spool.Replayer{Store: store, Kinds: map[string]spool.Rebuild{spool.KindEvents: spool.RebuildEvents},
			AttemptTimeout: time.Second, MaxBackoff: 100 * time.Millisecond})
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// drained waits until the spool holds nothing; the test fails after a generous bound.
func drained(t *testing.T, sp *spool.Spool) {
	t.Helper()
	require.Eventually(t, func() bool { return sp.Stats().Depth == 0 }, 30*time.Second, 10*time.Millisecond)
}

// eventsOf returns what the ledger holds about phone.
func eventsOf(t *testing.T, s *postgres.Store, phone string) []consent.Event {
	t.Helper()
	evs, err := s.Evidence(context.Background(), "acme", phone)
	require.NoError(t, err)
	return evs
}

func TestOptOutsSpooledWhileTheDatabaseIsDownLandOnceInOrderWhenItReturns(t *testing.T) {
	store, proxy := ledger(t)
	sp := open(t, t.TempDir())
	proxy.Refuse()
	phone := "+14155550101"
	var taken []spool.Entry
	for _, cat := range []string{"offers", "restock", "order_updates"} {
		e, err := sp.Append(optOut(t, phone, cat))
		require.NoError(t, err)
		taken = append(taken, e)
	}
	replaying(t, sp, store)
	time.Sleep(300 * time.Millisecond) // several attempts fail while the database is down
	assert.Equal(t, 3, sp.Stats().Depth, "nothing is dropped while the database is down")
	healed := time.Now()
	proxy.Heal()
	drained(t, sp)

	evs := eventsOf(t, store, phone)
	require.Len(t, evs, 3)
	for i, e := range evs {
		assert.WithinDuration(t, taken[i].Received, e.OccurredAt, time.Millisecond, "recorded at the time it was received")
		assert.True(t, e.OccurredAt.Before(healed), "not at the time it was replayed")
		if i > 0 {
			assert.Greater(t, e.ID, evs[i-1].ID, "in the order taken")
		}
	}
	assert.False(t, sp.Holds("acme", phone), "the hold ends with the replay")
}

func TestACrashBetweenReplayAndItsDoneMarkRecordsNothingTwice(t *testing.T) {
	store, _ := ledger(t)
	dir := t.TempDir()
	sp, err := spool.Open(dir, nil)
	require.NoError(t, err)
	appendAll(t, sp, "+14155550101", "+14155550102")
	before, err := os.ReadFile(filepath.Join(dir, "spool.log"))
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	go sp.Run(ctx, spool.Replayer{Store: store, Kinds: map[string]spool.Rebuild{spool.KindEvents: spool.RebuildEvents}})
	drained(t, sp)
	cancel()
	require.NoError(t, sp.Close())
	// The process died after committing but before its done marks reached the disk.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "spool.log"), before, 0o600))

	again := open(t, dir)
	require.Equal(t, 2, again.Stats().Depth)
	replaying(t, again, store)
	drained(t, again)
	for _, p := range []string{"+14155550101", "+14155550102"} {
		assert.Len(t, eventsOf(t, store, p), 1, "%s's opt-out is in the ledger once", p)
	}
}

func TestAnEntryTheLedgerRefusesIsSetAsideAndTheRestReplay(t *testing.T) {
	store, _ := ledger(t)
	dir := t.TempDir()
	sp := open(t, dir)
	_, err := sp.Append(optOut(t, "+14155550101", "no_such_category"))
	require.NoError(t, err)
	appendAll(t, sp, "+14155550102")
	replaying(t, sp, store)
	drained(t, sp)
	assert.Len(t, eventsOf(t, store, "+14155550102"), 1)
	assert.Equal(t, 1, sp.Stats().RejectedTotal)
	kept, err := os.ReadFile(filepath.Join(dir, "rejected.log"))
	require.NoError(t, err)
	assert.Contains(t, string(kept), "+14155550101", "the refused entry is kept, with its reason")
	assert.Contains(t, string(kept), "unknown category")
}

func TestManyPeopleReplayTogetherAndEachPersonsEntriesKeepTheirOrder(t *testing.T) {
	store, proxy := ledger(t)
	sp := open(t, t.TempDir())
	proxy.Refuse()
	const people = 40
	categories := []string{"offers", "restock", "order_updates"}
	for _, cat := range categories {
		for p := range people {
			_, err := sp.Append(optOut(t, fmt.Sprintf("+1415555%04d", p), cat))
			require.NoError(t, err)
		}
	}
	proxy.Heal()
	replaying(t, sp, store)
	drained(t, sp)
	for p := range people {
		evs := eventsOf(t, store, fmt.Sprintf("+1415555%04d", p))
		require.Len(t, evs, len(categories))
		for i, e := range evs { // the ledger's order: by id
			assert.Equal(t, categories[i], e.Category, "person %d's opt-outs are in the ledger in the order taken", p)
		}
	}
}
