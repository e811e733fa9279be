package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestRecordStoresEventsAndProjectsTheCurrentState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	in := []consent.Event{optIn("offers", 0), optIn("restock", 0), optOut("offers", 5)}
	in[1].Disclosure = in[0].Disclosure // one disclosure for both, as after "press 9 for all"

	stored, err := s.Record(ctx, in)
	require.NoError(t, err)
	require.Len(t, stored, 3)
	for i, e := range stored {
		require.NotZero(t, e.ID)
		require.Equal(t, in[i].IdempotencyKey, e.IdempotencyKey)
		require.Equal(t, in[i].Action, e.Action)
		require.True(t, in[i].OccurredAt.Equal(e.OccurredAt))
	}
	require.Less(t, stored[0].ID, stored[1].ID)
	require.NotZero(t, stored[0].Disclosure.ID)
	require.Equal(t, stored[0].Disclosure.ID, stored[1].Disclosure.ID, "the same text is stored once")

	consents, err := s.ConsentsOf(ctx, "acme", phone)
	require.NoError(t, err)
	require.Equal(t, []consent.Consent{
		{BusinessID: "acme", Phone: phone, Category: "offers", Status: consent.StatusOptedOut,
			Channel: consent.ChannelSMS, UpdatedAt: t0.Add(5 * time.Minute), EventID: stored[2].ID},
		{BusinessID: "acme", Phone: phone, Category: "restock", Status: consent.StatusOptedIn,
			Channel: consent.ChannelIVR, UpdatedAt: t0, EventID: stored[1].ID},
	}, consents)
}

func TestConsentsOfAnUnknownPhoneIsAnEmptyList(t *testing.T) {
	t.Parallel()
	s, _ := storeWithAcme(t)
	consents, err := s.ConsentsOf(context.Background(), "acme", "+14155550999")
	require.NoError(t, err)
	require.NotNil(t, consents)
	require.Empty(t, consents)
}

func TestEvidenceReturnsTheDisclosureTextAndHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	in := optIn("offers", 0)
	_, err := s.Record(ctx, []consent.Event{in, optOut("offers", 3)})
	require.NoError(t, err)

	events, err := s.Evidence(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, events, 2)
	got := events[0]
	require.Equal(t, consent.ActionOptIn, got.Action)
	require.Equal(t, "1", got.Input)
	require.Equal(t, "CA0001", got.ProviderRef)
	require.Equal(t, map[string]any{"AccountSid": "AC123"}, got.Evidence)
	require.NotNil(t, got.Disclosure)
	require.Equal(t, in.Disclosure.Text, got.Disclosure.Text)
	require.Equal(t, in.Disclosure.SHA256, got.Disclosure.SHA256)
	require.Len(t, got.Disclosure.SHA256, 64)
	require.Equal(t, "en-US", got.Disclosure.Language)
	require.Nil(t, events[1].Disclosure, "the STOP answered no disclosure")
}

func TestRecordRefusesEventsTheLedgerMustNeverHold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(e *consent.Event)
		want   error
	}{
		{"unknown action", func(e *consent.Event) { e.Action = "maybe" }, consent.ErrInvalid},
		{"unknown channel", func(e *consent.Event) { e.Channel = "fax" }, consent.ErrInvalid},
		{"unknown reason", func(e *consent.Event) { e.Reason = "guess" }, consent.ErrInvalid},
		{"no phone", func(e *consent.Event) { e.Phone = "" }, consent.ErrInvalid},
		{"phone not E.164", func(e *consent.Event) { e.Phone = "4155550123" }, consent.ErrInvalid},
		{"no idempotency key", func(e *consent.Event) { e.IdempotencyKey = "" }, consent.ErrInvalid},
		{"no time", func(e *consent.Event) { e.OccurredAt = time.Time{} }, consent.ErrInvalid},
		{"opt-in without disclosure", func(e *consent.Event) { e.Disclosure = nil }, consent.ErrInvalid},
		{"disclosure hash not of its text", func(e *consent.Event) {
			d := *e.Disclosure
			d.Text += " Changed afterwards."
			e.Disclosure = &d
		}, consent.ErrInvalid},
		{"unknown category", func(e *consent.Event) { e.Category = "weather" }, consent.ErrUnknownCategory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, _ := storeWithAcme(t)
			good, bad := optIn("restock", 0), optIn("offers", 1)
			tt.change(&bad)
			_, err := s.Record(ctx, []consent.Event{good, bad})
			require.ErrorIs(t, err, tt.want)

			events, err := s.Evidence(ctx, "acme", phone)
			require.NoError(t, err)
			require.Empty(t, events, "nothing of the batch was recorded")
		})
	}
}

func TestRepeatedIdempotencyKeyRecordsNothingAndReturnsTheFirstEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	first, err := s.Record(ctx, []consent.Event{optIn("offers", 0)})
	require.NoError(t, err)

	retry := optIn("offers", 0)
	retry.OccurredAt = t0.Add(time.Hour) // a webhook retried later
	again, err := s.Record(ctx, []consent.Event{retry})
	require.NoError(t, err)
	require.Equal(t, first, again)

	events, err := s.Evidence(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, events, 1)
}

func TestSameIdempotencyKeyFromTenCallersAtOnceRecordsOneEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	const callers = 10
	results := make([][]consent.Event, callers)
	errs := make([]error, callers)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range callers {
		done.Go(func() {
			start.Wait()
			results[i], errs[i] = s.Record(ctx, []consent.Event{optIn("offers", 0)})
		})
	}
	start.Done()
	done.Wait()

	for i := range callers {
		require.NoError(t, errs[i], "caller %d", i)
		require.Equal(t, results[0], results[i], "caller %d got another event", i)
	}
	var count int
	require.NoError(t, s.DB().GetContext(ctx, &count, `SELECT count(*) FROM consent_events`))
	require.Equal(t, 1, count)
	consents, err := s.ConsentsOf(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, consents, 1)
	require.Equal(t, results[0][0].ID, consents[0].EventID)
}

func TestLateOlderEventDoesNotOverrideANewerState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	newer, err := s.Record(ctx, []consent.Event{optOut("offers", 10)})
	require.NoError(t, err)
	_, err = s.Record(ctx, []consent.Event{optIn("offers", 2)}) // delivered late
	require.NoError(t, err)

	consents, err := s.ConsentsOf(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, consents, 1)
	require.Equal(t, consent.StatusOptedOut, consents[0].Status)
	require.Equal(t, newer[0].ID, consents[0].EventID)

	events, err := s.Evidence(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, events, 2, "the late event is still in the ledger")
	require.Equal(t, consent.ActionOptIn, events[0].Action, "evidence is in the order things happened")
}

func TestEventsAtTheSameInstantResolveToTheOneRecordedLast(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	_, err := s.Record(ctx, []consent.Event{optIn("offers", 4)})
	require.NoError(t, err)
	last, err := s.Record(ctx, []consent.Event{optOut("offers", 4)})
	require.NoError(t, err)

	consents, err := s.ConsentsOf(ctx, "acme", phone)
	require.NoError(t, err)
	require.Equal(t, last[0].ID, consents[0].EventID)
}

func TestTheLedgerRefusesUpdateDeleteAndTruncateEvenByHand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	_, err := s.Record(ctx, []consent.Event{optIn("offers", 0)})
	require.NoError(t, err)

	for _, stmt := range []string{
		`UPDATE consent_events SET action = 'opt_out'`,
		`DELETE FROM consent_events`,
		`TRUNCATE consent_events CASCADE`,
	} {
		_, err := s.DB().ExecContext(ctx, stmt)
		require.ErrorContains(t, err, "append-only", stmt)
	}
	events, err := s.Evidence(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, events, 1)
	require.Equal(t, consent.ActionOptIn, events[0].Action)
}

func TestLedgerAcceptsEveryReasonAndChannelOfTheDomainAndNothingElse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	var events []consent.Event
	for i, r := range consent.Reasons {
		e := optOut("offers", i)
		e.Reason, e.IdempotencyKey = r, "reason:"+string(r)
		events = append(events, e)
	}
	for i, ch := range consent.Channels {
		e := optOut("offers", i)
		e.Channel, e.IdempotencyKey = ch, "channel:"+string(ch)
		events = append(events, e)
	}
	_, err := s.Record(ctx, events)
	require.NoError(t, err, "the schema's CHECKs must list what the consent package lists")

	const insertSQL = `
INSERT INTO consent_events (business_id, phone, category, action, channel, reason, occurred_at, idempotency_key)
VALUES ('acme', '+14155550123', 'offers', $1, $2, $3, now(), $4)`
	for _, bad := range [][3]string{{"opt_maybe", "sms", "keyword"}, {"opt_out", "fax", "keyword"}, {"opt_out", "sms", "hunch"}} {
		_, err := s.DB().ExecContext(ctx, insertSQL, bad[0], bad[1], bad[2], "bad:"+bad[0]+bad[1]+bad[2])
		require.ErrorContains(t, err, "check constraint", "%v written past the store", bad)
	}
}
