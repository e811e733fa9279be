package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestSendFieldsOfABusinessRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, b := newStore(t), acme(t)
	b.Categories[0].TemplateCategory = consent.TemplateUtility
	b.Categories[2].TemplateCategory = consent.TemplateAuthentication
	b.RevocationGlobalFrom = time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	b.USMarketingPause = false
	_, err := s.ApplyBusiness(ctx, b)
	require.NoError(t, err)

	got, err := s.Business(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, []consent.TemplateCategory{consent.TemplateUtility, consent.TemplateMarketing, consent.TemplateAuthentication},
		[]consent.TemplateCategory{got.Categories[0].TemplateCategory, got.Categories[1].TemplateCategory, got.Categories[2].TemplateCategory})
	require.Equal(t, b.RevocationGlobalFrom, got.RevocationGlobalFrom)
	require.False(t, got.USMarketingPause)

	def, err := s.Business(ctx, "acme")
	require.NoError(t, err)
	def.RevocationGlobalFrom, def.USMarketingPause = time.Time{}, true
	_, err = s.ApplyBusiness(ctx, def)
	require.NoError(t, err)
	got, err = s.Business(ctx, "acme")
	require.NoError(t, err)
	require.True(t, got.RevocationGlobalFrom.IsZero(), "removing the date from the file removes it from the store")
	require.True(t, got.USMarketingPause)
}

func TestApplyBusinessReportsEachSendFieldChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(b *consent.Business)
	}{
		{"a category now sent in authentication templates", func(b *consent.Business) { b.Categories[1].TemplateCategory = consent.TemplateAuthentication }},
		{"a dated global revocation", func(b *consent.Business) { b.RevocationGlobalFrom = time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC) }},
		{"the US marketing pause switched off", func(b *consent.Business) { b.USMarketingPause = false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, b := storeWithAcme(t)
			tt.change(&b)
			changed, err := s.ApplyBusiness(ctx, b)
			require.NoError(t, err)
			require.True(t, changed)
			changed, err = s.ApplyBusiness(ctx, b)
			require.NoError(t, err)
			require.False(t, changed, "the same file applied again")
		})
	}
}

func TestADateOfGlobalRevocationNeedsPerCategoryRevocation(t *testing.T) {
	t.Parallel()
	s, b := newStore(t), acme(t)
	b.Revocation = consent.RevocationGlobal
	b.RevocationGlobalFrom = time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	_, err := s.ApplyBusiness(context.Background(), b)
	require.ErrorIs(t, err, consent.ErrInvalid)
}
