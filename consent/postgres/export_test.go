package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestExportConsentsStreamsEveryMatchInListOrder(t *testing.T) {
	s := listFixture(t)
	tests := []struct {
		name string
		f    consent.ConsentFilter
		want []string
	}{
		{"everything", consent.ConsentFilter{}, []string{"+14155550200/order_updates", "+14155550201/offers",
			"+14155550201/order_updates", "+14155550202/order_updates", "+14155550203/order_updates"}},
		{"opted out only", consent.ConsentFilter{Status: consent.StatusOptedOut}, []string{"+14155550201/offers"}},
		{"a category nobody answered", consent.ConsentFilter{Category: "restock"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []consent.Consent
			err := s.ExportConsents(context.Background(), "acme", tt.f, func(c consent.Consent) error {
				got = append(got, c)
				return nil
			})
			require.NoError(t, err)
			if tt.want == nil {
				require.Empty(t, got)
				return
			}
			require.Equal(t, tt.want, keysOf(got))
		})
	}
}

func TestExportConsentsStopsAtTheFirstErrorOfTheReader(t *testing.T) {
	s := listFixture(t)
	stop := errors.New("client went away")
	calls := 0
	err := s.ExportConsents(context.Background(), "acme", consent.ConsentFilter{}, func(consent.Consent) error {
		calls++
		return stop
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1, calls)
}

func TestExportConsentsStopsWhenTheContextEnds(t *testing.T) {
	s := listFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := s.ExportConsents(ctx, "acme", consent.ConsentFilter{}, func(consent.Consent) error {
		calls++
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, calls, "rows after the cancellation are not handed out")
}
