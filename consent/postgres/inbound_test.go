package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

// inbound is the decided outcome of one message from phone to acme, committed as a message
// write under its provider reference.
type inbound struct {
	ProviderRef    string
	Reply          string
	Events         []consent.Event
	Pending        *consent.Pending
	PendingChanged bool
}

// commitInbound commits in exactly once per provider reference and returns the reply the
// message got, with fresh false for a redelivery.
func commitInbound(ctx context.Context, s *postgres.Store, in inbound) (reply string, fresh bool, err error) {
	c, err := s.Commit(ctx, consent.Write{BusinessID: "acme", Phone: phone,
		Message: &consent.MessageRef{ProviderRef: in.ProviderRef, Channel: consent.ChannelSMS},
		Decide:  consent.Fixed(consent.Outcome{Events: in.Events, Reply: in.Reply, Pending: in.Pending, PendingChanged: in.PendingChanged})})
	return c.Reply, c.Fresh, err
}

// storedReplies lists the replies stored for a provider reference: none when unclaimed.
func storedReplies(t *testing.T, s *postgres.Store, ref string) []string {
	t.Helper()
	var replies []string
	require.NoError(t, s.DB().Select(&replies, `SELECT reply FROM inbound_messages WHERE business_id = 'acme' AND provider_ref = $1`, ref))
	return replies
}

// offersKeyword is the inbound "OFFERS": it records nothing and leaves a disclosure pending.
func offersKeyword() inbound {
	d := consent.NewDisclosure("acme", consent.ChannelSMS, "en-US",
		"Acme Outdoor: reply YES to get offers and promotions on WhatsApp. Msg & data rates may apply.")
	return inbound{
		ProviderRef: "SM1000",
		Reply:       d.Text, PendingChanged: true,
		Pending: &consent.Pending{Categories: []string{"offers"}, Disclosure: d, Channel: consent.ChannelSMS,
			ExpiresAt: t0.Add(24 * time.Hour)},
	}
}

// yes is the inbound "YES" answering offersKeyword: it opts in and clears the pending disclosure.
func yes() inbound {
	pending := offersKeyword().Pending
	e := consent.Event{BusinessID: "acme", Phone: phone, Category: "offers", Action: consent.ActionOptIn,
		Channel: consent.ChannelSMS, Reason: consent.ReasonKeyword, Input: "Yes!", ProviderRef: "SM1001",
		Disclosure: &pending.Disclosure, OccurredAt: t0.Add(time.Minute), IdempotencyKey: "sms:SM1001:offers"}
	return inbound{ProviderRef: "SM1001",
		Reply:  "You're in: Acme Outdoor offers on WhatsApp. Reply STOP OFFERS to stop.",
		Events: []consent.Event{e}, PendingChanged: true}
}

func TestCommitInboundRecordsOnceAndADuplicateGetsTheStoredReply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	_, _, err := commitInbound(ctx, s, offersKeyword())
	require.NoError(t, err)

	reply, fresh, err := commitInbound(ctx, s, yes())
	require.NoError(t, err)
	require.True(t, fresh)
	require.Equal(t, yes().Reply, reply)
	pending, err := s.Pending(ctx, "acme", phone)
	require.NoError(t, err)
	require.Nil(t, pending, "the YES cleared the pending disclosure")

	redelivered := yes()
	redelivered.Reply = "a reply computed again, differently"
	redelivered.Events[0].IdempotencyKey = "another key"
	redelivered.Pending, redelivered.PendingChanged = offersKeyword().Pending, true
	reply, fresh, err = commitInbound(ctx, s, redelivered)
	require.NoError(t, err)
	require.False(t, fresh)
	require.Equal(t, yes().Reply, reply, "the reply stored the first time")

	events, err := s.Evidence(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, events, 1, "the redelivery recorded nothing")
	pending, err = s.Pending(ctx, "acme", phone)
	require.NoError(t, err)
	require.Nil(t, pending, "the redelivery saved no pending disclosure")

	require.Equal(t, []string{yes().Reply}, storedReplies(t, s, "SM1001"))
}

func TestOneMessageDeliveredToManyReplicasAtOnceIsCommittedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	const replicas = 8
	fresh := make([]bool, replicas)
	replies := make([]string, replicas)
	errs := make([]error, replicas)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range replicas {
		done.Go(func() {
			start.Wait()
			replies[i], fresh[i], errs[i] = commitInbound(ctx, s, yes())
		})
	}
	start.Done()
	done.Wait()

	firsts := 0
	for i := range replicas {
		require.NoError(t, errs[i])
		require.Equal(t, yes().Reply, replies[i])
		if fresh[i] {
			firsts++
		}
	}
	require.Equal(t, 1, firsts)
	events, err := s.Evidence(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, events, 1)
}

func TestCommitInboundThatFailsLeavesTheMessageUnclaimed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	in := yes()
	in.Events[0].Category = "weather"
	_, _, err := commitInbound(ctx, s, in)
	require.ErrorIs(t, err, consent.ErrUnknownCategory)

	require.Empty(t, storedReplies(t, s, in.ProviderRef), "a redelivery gets another chance")
}

func TestPendingDisclosureIsSavedReplacedAndCleared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	pending, err := s.Pending(ctx, "acme", phone)
	require.NoError(t, err)
	require.Nil(t, pending, "nothing pending for a new phone")

	sent := offersKeyword()
	_, _, err = commitInbound(ctx, s, sent)
	require.NoError(t, err)
	pending, err = s.Pending(ctx, "acme", phone)
	require.NoError(t, err)
	require.NotNil(t, pending)
	require.Equal(t, []string{"offers"}, pending.Categories)
	require.Equal(t, consent.ChannelSMS, pending.Channel)
	require.Equal(t, sent.Pending.Disclosure.Text, pending.Disclosure.Text)
	require.Equal(t, sent.Pending.Disclosure.SHA256, pending.Disclosure.SHA256)
	require.NotZero(t, pending.Disclosure.ID)
	require.True(t, sent.Pending.ExpiresAt.Equal(pending.ExpiresAt))
	require.True(t, pending.Active(t0.Add(23*time.Hour)))
	require.False(t, pending.Active(t0.Add(25*time.Hour)), "expired after 24 h")

	// A message that leaves the pending disclosure alone does not touch it.
	help := inbound{ProviderRef: "SM1002",
		Reply: "Acme Outdoor help"}
	_, _, err = commitInbound(ctx, s, help)
	require.NoError(t, err)
	pending, err = s.Pending(ctx, "acme", phone)
	require.NoError(t, err)
	require.NotNil(t, pending)

	// Another keyword replaces it.
	all := offersKeyword()
	all.ProviderRef = "SM1003"
	all.Pending.Categories = []string{"offers", "restock"}
	_, _, err = commitInbound(ctx, s, all)
	require.NoError(t, err)
	pending, err = s.Pending(ctx, "acme", phone)
	require.NoError(t, err)
	require.Equal(t, []string{"offers", "restock"}, pending.Categories)

	cleared := help
	cleared.ProviderRef, cleared.PendingChanged = "SM1004", true
	_, _, err = commitInbound(ctx, s, cleared)
	require.NoError(t, err)
	pending, err = s.Pending(ctx, "acme", phone)
	require.NoError(t, err)
	require.Nil(t, pending)
}
