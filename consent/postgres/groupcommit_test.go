package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

// stopWrite is an API-style opt-out of one phone, decided on nothing, stamped by the unit.
func stopWrite(phone, category, key string) consent.Write {
	return consent.Write{BusinessID: "acme", Phone: phone, Decide: func(st consent.State) consent.Outcome {
		return consent.Outcome{Events: []consent.Event{{
			BusinessID: "acme", Phone: phone, Category: category, Action: consent.ActionOptOut,
			Channel: consent.ChannelAPI, Reason: consent.ReasonAPI, IdempotencyKey: key,
		}}}
	}}
}

// holdLedger takes acme's ledger lock in a transaction of its own, as another replica's
// batch would, so that writes sent meanwhile gather into one batch; release lets them go.
func holdLedger(t *testing.T, s *postgres.Store) (release func()) {
	t.Helper()
	tx, err := s.DB().BeginTxx(context.Background(), nil)
	require.NoError(t, err)
	_, err = tx.Exec(`SELECT pg_advisory_xact_lock(CAST($1 AS int4), hashtext($2))`, 0x6f70, "acme")
	require.NoError(t, err)
	return func() { require.NoError(t, tx.Rollback()) }
}

// blockPerson holds acme's ledger lock and puts a write about phone in flight behind it, so
// writes about phone sent meanwhile queue up and are taken together, in one batch, once the
// returned release lets the lock go. wait returns when the blocking write has committed.
func blockPerson(t *testing.T, s *postgres.Store, phone string) (release func(), wait func()) {
	t.Helper()
	unlock := holdLedger(t, s)
	done := make(chan error, 1)
	go func() {
		_, err := s.Commit(context.Background(), stopWrite(phone, "restock", "blocker:"+phone))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // the blocking write reaches the lock
	return unlock, func() { require.NoError(t, <-done) }
}

func TestAWriteWithABadCategoryFailsAloneAndTheRestOfItsBatchCommits(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	for try := range 10 {
		release := holdLedger(t, s)
		const n = 24
		bad := try % n
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			category := "offers"
			if i == bad {
				category = "no_such_category"
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Commit(ctx, stopWrite(fmt.Sprintf("+1415557%02d%02d", try, i), category, fmt.Sprintf("t%d:%d", try, i)))
			}()
		}
		time.Sleep(50 * time.Millisecond) // let the writes queue behind the held lock
		release()
		wg.Wait()
		for i, err := range errs {
			if i == bad {
				assert.True(t, errors.Is(err, consent.ErrUnknownCategory), "try %d: the bad write fails with its own reason: %v", try, err)
				continue
			}
			assert.NoError(t, err, "try %d: write %d shares a batch with a bad one", try, i)
		}
	}
	var events int
	require.NoError(t, s.DB().Get(&events, `SELECT count(*) FROM consent_events`))
	assert.Equal(t, 10*23, events, "every good write is recorded once")
}

func TestAReplicaWithAClockBehindStillRecordsAfterThePersonsLatestEvent(t *testing.T) {
	ahead, _ := storeWithAcme(t)
	behind := postgres.NewStore(ahead.DB(), postgres.WithClock(func() time.Time { return time.Now().Add(-time.Hour) }))
	ctx := context.Background()

	first, err := ahead.Commit(ctx, stopWrite(phone, "offers", "ahead"))
	require.NoError(t, err)
	optIn := consent.NewDisclosure("acme", consent.ChannelWeb, "en-US", "Acme Outdoor: offers on WhatsApp, up to 4 a month. Reply STOP to opt out.")
	second, err := behind.Commit(ctx, consent.Write{BusinessID: "acme", Phone: phone, Decide: func(st consent.State) consent.Outcome {
		return consent.Outcome{Events: []consent.Event{{
			BusinessID: "acme", Phone: phone, Category: "offers", Action: consent.ActionOptIn, Disclosure: &optIn,
			Channel: consent.ChannelWeb, Reason: consent.ReasonAPI, IdempotencyKey: "behind",
		}}}
	}})
	require.NoError(t, err)

	assert.False(t, second.Events[0].OccurredAt.Before(first.Events[0].OccurredAt), "the later write is not dated before the earlier one")
	cs, err := ahead.ConsentsOf(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, consent.StatusOptedIn, cs[0].Status, "the state is the ledger's last event")
	assert.Equal(t, second.Events[0].ID, cs[0].EventID)
}

func TestWritesDeliveredTwiceInOneBatchRecordOnce(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	release, blocked := blockPerson(t, s, phone)
	results := make([]consent.Committed, 3)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			results[i], err = s.Commit(ctx, consent.Write{BusinessID: "acme", Phone: phone,
				Message: &consent.MessageRef{ProviderRef: "SMtwice", Channel: consent.ChannelSMS},
				Decide: func(st consent.State) consent.Outcome {
					if slices.ContainsFunc(st.Consents, func(c consent.Consent) bool { return c.Category == "offers" }) {
						return consent.Outcome{Reply: "decided on a state the first delivery left"}
					}
					out := stopWrite(phone, "offers", "msg:SMtwice:offers").Decide(st)
					out.Reply = "unsubscribed"
					return out
				}})
			assert.NoError(t, err)
		}()
	}
	time.Sleep(50 * time.Millisecond) // all three queue behind the blocking write
	release()
	blocked()
	wg.Wait()
	fresh := 0
	for _, r := range results {
		assert.Equal(t, "unsubscribed", r.Reply, "every delivery gets the first one's reply")
		if r.Fresh {
			fresh++
		}
	}
	assert.Equal(t, 1, fresh, "one delivery is handled, the others are redeliveries")
	var events int
	require.NoError(t, s.DB().Get(&events, `SELECT count(*) FROM consent_events WHERE category = 'offers'`))
	assert.Equal(t, 1, events)
}

func TestAMessageDeliveredTwiceWhoseDecisionIsRefusedFailsBothDeliveries(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	release, blocked := blockPerson(t, s, phone)
	refused := consent.Write{BusinessID: "acme", Phone: phone,
		Message: &consent.MessageRef{ProviderRef: "SMrefused", Channel: consent.ChannelSMS},
		Decide: func(st consent.State) consent.Outcome {
			out := stopWrite(phone, "offers", "").Decide(st) // no idempotency key: refused
			out.Reply = "unsubscribed"
			return out
		}}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Commit(ctx, refused)
		}()
	}
	time.Sleep(50 * time.Millisecond) // both queue behind the blocking write
	release()
	blocked()
	wg.Wait()
	for i, err := range errs {
		assert.ErrorIs(t, err, consent.ErrInvalid, "delivery %d", i)
	}
	var claims int
	require.NoError(t, s.DB().Get(&claims, `SELECT count(*) FROM inbound_messages`))
	assert.Zero(t, claims, "a refused message is not claimed, so a redelivery is decided again")
}

func TestAWriteAfterAReplayedEventInItsBatchIsDecidedWithoutTheReplay(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	_, err := s.Record(ctx, []consent.Event{optIn("offers", 0), optOut("offers", 1)})
	require.NoError(t, err)

	release, blocked := blockPerson(t, s, phone)
	replay := consent.Write{BusinessID: "acme", Phone: phone, Decide: consent.Fixed(consent.Outcome{
		Events: []consent.Event{func() consent.Event { e := optIn("offers", 0); e.OccurredAt = time.Time{}; return e }()}})}
	var later consent.Committed
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, err := s.Commit(ctx, replay) // a retried IVR step: its key was recorded long ago
		assert.NoError(t, err)
	}()
	time.Sleep(20 * time.Millisecond) // the replay queues first
	go func() {
		defer wg.Done()
		var err error
		later, err = s.Commit(ctx, consent.Write{BusinessID: "acme", Phone: phone, Decide: func(st consent.State) consent.Outcome {
			for _, c := range st.Consents {
				if c.Category == "offers" && c.Status == consent.StatusOptedIn {
					return consent.Outcome{Reply: "decided on the replay as if it were new"}
				}
			}
			return consent.Outcome{Reply: "offers are opted out"}
		}})
		assert.NoError(t, err)
	}()
	time.Sleep(50 * time.Millisecond) // both queue behind the blocking write
	release()
	blocked()
	wg.Wait()
	assert.Equal(t, "offers are opted out", later.Reply)
	cs, err := s.ConsentsOf(ctx, "acme", phone)
	require.NoError(t, err)
	for _, c := range cs {
		if c.Category == "offers" {
			assert.Equal(t, consent.StatusOptedOut, c.Status, "the replay changed nothing")
		}
	}
}
