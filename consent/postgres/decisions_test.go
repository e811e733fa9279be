package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// receivedSQL stores an inbound message as handled at a given time.
const receivedSQL = `INSERT INTO inbound_messages (business_id, provider_ref, phone, channel, received_at) VALUES ($1, $2, $3, $4, $5)`

func TestDecisionInputsReadConsentAndLastMessageOfEachPhoneInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	other, err := consent.ParseBusinessFile(strings.NewReader(`
id: globex
name: Globex
help: "Call 1-800-555-0199"
numbers: ["+14155550199"]
categories:
  - {key: offers, label: offers, keyword: OFFERS, digit: 1, frequency: "1 message a month"}
`))
	require.NoError(t, err)
	_, err = s.ApplyBusiness(ctx, other)
	require.NoError(t, err)

	_, err = s.Record(ctx, []consent.Event{optIn("offers", 0), optOut("offers", 5), optIn("order_updates", 6)})
	require.NoError(t, err)
	globexIn := optIn("offers", 9)
	globexIn.BusinessID, globexIn.Disclosure.BusinessID = "globex", "globex"
	_, err = s.Record(ctx, []consent.Event{globexIn})
	require.NoError(t, err)
	for i, m := range []struct {
		business string
		channel  consent.Channel
		at       time.Time
	}{
		{"acme", consent.ChannelWhatsApp, t0.Add(time.Hour)},
		{"acme", consent.ChannelWhatsApp, t0.Add(3 * time.Hour)},
		{"acme", consent.ChannelWhatsApp, t0.Add(2 * time.Hour)},
		{"acme", consent.ChannelSMS, t0.Add(5 * time.Hour)},
		{"globex", consent.ChannelWhatsApp, t0.Add(9 * time.Hour)},
	} {
		_, err := s.DB().ExecContext(ctx, receivedSQL, m.business, "SM"+string(rune('a'+i)), phone, string(m.channel), m.at)
		require.NoError(t, err)
	}

	const stranger = "+14155550999"
	got, err := s.DecisionInputs(ctx, "acme", "offers", consent.ChannelWhatsApp, []string{stranger, phone, stranger})
	require.NoError(t, err)
	require.Len(t, got, 3, "one input per phone asked, duplicates too")
	require.Equal(t, consent.DecisionInput{Phone: stranger}, got[0], "a stranger has no consent and never wrote")
	require.Equal(t, got[0], got[2])

	in := got[1]
	require.Equal(t, phone, in.Phone)
	require.NotNil(t, in.Consent)
	require.Equal(t, consent.StatusOptedOut, in.Consent.Status, "the consent of acme for offers, not globex's")
	require.Equal(t, consent.ChannelSMS, in.Consent.Channel)
	require.Equal(t, t0.Add(5*time.Minute), in.Consent.UpdatedAt)
	require.Equal(t, "offers", in.Consent.Category)
	require.NotZero(t, in.Consent.EventID)
	require.Equal(t, t0.Add(3*time.Hour), *in.LastInbound, "the latest WhatsApp message to acme, not an SMS nor a message to globex")
	require.Empty(t, in.PlatformStops)
	require.False(t, in.Erased)

	sms, err := s.DecisionInputs(ctx, "acme", "order_updates", consent.ChannelSMS, []string{phone})
	require.NoError(t, err)
	require.Equal(t, consent.StatusOptedIn, sms[0].Consent.Status)
	require.Equal(t, t0.Add(5*time.Hour), *sms[0].LastInbound)

	none, err := s.DecisionInputs(ctx, "acme", "offers", consent.ChannelSMS, nil)
	require.NoError(t, err)
	require.Empty(t, none)
}
