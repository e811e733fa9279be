package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/fixtures"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newStore returns a store over a fresh migrated database.
func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	return postgres.NewStore(pgtest.NewDB(t))
}

// acme is the demo business, parsed from its business file.
func acme(t *testing.T) consent.Business {
	t.Helper()
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	require.NoError(t, err)
	return b
}

// storeWithAcme returns a store holding the demo business.
func storeWithAcme(t *testing.T) (*postgres.Store, consent.Business) {
	t.Helper()
	s, b := newStore(t), acme(t)
	_, err := s.ApplyBusiness(context.Background(), b)
	require.NoError(t, err)
	return s, b
}

// t0 is a fixed instant the tests count from.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

const phone = "+14155550123"

// optIn is an IVR opt-in of phone to a category of acme, at minute m after t0.
func optIn(category string, m int) consent.Event {
	d := consent.NewDisclosure("acme", consent.ChannelIVR, "en-US",
		"Acme Outdoor will send you "+category+" on WhatsApp. Press 1 to agree.")
	return consent.Event{
		BusinessID: "acme", Phone: phone, Category: category, Action: consent.ActionOptIn,
		Channel: consent.ChannelIVR, Reason: consent.ReasonKeypress, Input: "1", ProviderRef: "CA0001",
		Disclosure: &d, Evidence: map[string]any{"AccountSid": "AC123"},
		OccurredAt:     t0.Add(time.Duration(m) * time.Minute),
		IdempotencyKey: fmt.Sprintf("ivr:CA0001:%s:in:%d", category, m),
	}
}

// optOut is an SMS STOP of phone for a category of acme, at minute m after t0.
func optOut(category string, m int) consent.Event {
	return consent.Event{
		BusinessID: "acme", Phone: phone, Category: category, Action: consent.ActionOptOut,
		Channel: consent.ChannelSMS, Reason: consent.ReasonKeyword, Input: "STOP", ProviderRef: "SM0001",
		OccurredAt:     t0.Add(time.Duration(m) * time.Minute),
		IdempotencyKey: fmt.Sprintf("sms:SM0001:%s:out:%d", category, m),
	}
}
