package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestApplyBusinessRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, b := newStore(t), acme(t)
	b.Messages = map[string]map[string]string{"en-US": {"help": "Acme help: call us."}}

	changed, err := s.ApplyBusiness(ctx, b)
	require.NoError(t, err)
	require.True(t, changed)

	got, err := s.Business(ctx, "acme")
	require.NoError(t, err)
	for i := range b.Categories {
		b.Categories[i].Position = i
	}
	slices.Sort(b.Numbers) // numbers come back in order
	require.Equal(t, b, got)

	byNumber, err := s.BusinessByNumber(ctx, "384387")
	require.NoError(t, err)
	require.Equal(t, b, byNumber)

	all, err := s.Businesses(ctx)
	require.NoError(t, err)
	require.Equal(t, []consent.Business{b}, all)
}

func TestUnknownBusinessOrNumberIsNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	_, err := s.Business(ctx, "nobody")
	require.ErrorIs(t, err, consent.ErrNotFound)
	_, err = s.BusinessByNumber(ctx, "+15555550199")
	require.ErrorIs(t, err, consent.ErrNotFound)
}

func TestApplyingTheSameBusinessAgainWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, b := storeWithAcme(t)
	const versionsSQL = `
SELECT (SELECT string_agg(CAST(xmin AS text), ',' ORDER BY id) FROM businesses)
	|| '/' || (SELECT string_agg(CAST(xmin AS text), ',' ORDER BY key) FROM categories)
	|| '/' || (SELECT string_agg(CAST(xmin AS text), ',' ORDER BY number) FROM business_numbers)`
	var before, after string
	require.NoError(t, s.DB().GetContext(ctx, &before, versionsSQL))

	changed, err := s.ApplyBusiness(ctx, b)
	require.NoError(t, err)
	require.False(t, changed)
	require.NoError(t, s.DB().GetContext(ctx, &after, versionsSQL))
	require.Equal(t, before, after, "no row was rewritten")
}

func TestApplyBusinessReportsEachKindOfChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(b *consent.Business)
	}{
		{"renamed business", func(b *consent.Business) { b.Name = "Acme Outdoors" }},
		{"new help text", func(b *consent.Business) { b.Help = "Call 1-800-555-0199" }},
		{"global revocation", func(b *consent.Business) { b.Revocation = consent.RevocationGlobal }},
		{"message override", func(b *consent.Business) {
			b.Messages = map[string]map[string]string{"en-US": {"help": "Acme help"}}
		}},
		{"number added", func(b *consent.Business) { b.Numbers = append(b.Numbers, "+14155550101") }},
		{"number dropped", func(b *consent.Business) { b.Numbers = b.Numbers[1:] }},
		{"category relabelled", func(b *consent.Business) { b.Categories[0].Label = "order news" }},
		{"categories reordered", func(b *consent.Business) {
			b.Categories[0], b.Categories[1] = b.Categories[1], b.Categories[0]
		}},
		{"digits swapped", func(b *consent.Business) {
			b.Categories[0].Digit, b.Categories[1].Digit = b.Categories[1].Digit, b.Categories[0].Digit
		}},
		{"category added", func(b *consent.Business) {
			b.Categories = append(b.Categories, consent.Category{Key: "events", Label: "store events",
				Keyword: "EVENTS", Digit: 4, Frequency: "up to 2 messages a month"})
		}},
		{"category removed", func(b *consent.Business) { b.Categories = b.Categories[:2] }},
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
			got, err := s.Business(ctx, "acme")
			require.NoError(t, err)
			require.Equal(t, b.Name, got.Name)
			require.Equal(t, b.Revocation, got.Revocation)
			require.ElementsMatch(t, b.Numbers, got.Numbers)
			require.Equal(t, b.CategoryKeys(), got.CategoryKeys())
			for i, c := range got.Categories {
				require.Equal(t, b.Categories[i].Digit, c.Digit, c.Key)
				require.Equal(t, b.Categories[i].Label, c.Label, c.Key)
			}

			changed, err = s.ApplyBusiness(ctx, b)
			require.NoError(t, err)
			require.False(t, changed, "the same file applied again")
		})
	}
}

func TestRemovedCategoryIsDeactivatedAndKeepsItsHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, b := storeWithAcme(t)
	_, err := s.Record(ctx, []consent.Event{optIn("restock", 0)})
	require.NoError(t, err)

	b.Categories = b.Categories[:2]
	_, err = s.ApplyBusiness(ctx, b)
	require.NoError(t, err)

	got, err := s.Business(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, []string{"order_updates", "offers"}, got.CategoryKeys())
	evidence, err := s.Evidence(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, evidence, 1)
	require.Equal(t, "restock", evidence[0].Category)
	consents, err := s.ConsentsOf(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, consents, 1)

	// A new category may take the keyword and digit the removed one had.
	b.Categories = append(b.Categories, consent.Category{Key: "back_in_stock", Label: "back-in-stock alerts",
		Keyword: "RESTOCK", Digit: 3, Frequency: "up to 2 messages a week"})
	_, err = s.ApplyBusiness(ctx, b)
	require.NoError(t, err)

	// Bringing the old one back deactivates the new one again only if it is dropped.
	b.Categories[2].Key = "restock"
	changed, err := s.ApplyBusiness(ctx, b)
	require.NoError(t, err)
	require.True(t, changed)
	got, err = s.Business(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, []string{"order_updates", "offers", "restock"}, got.CategoryKeys())
}

func TestNumberOfAnotherBusinessIsRefusedAndNothingIsWritten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	other := consent.Business{ID: "zenith", Name: "Zenith Bikes", Language: "en-US", Region: "US",
		Revocation: consent.RevocationCategory, Numbers: []string{"+14155550177", "384387"},
		Categories: []consent.Category{{Key: "offers", Label: "offers", Keyword: "OFFERS", Digit: 1, Frequency: "weekly"}}}

	changed, err := s.ApplyBusiness(ctx, other)
	require.ErrorIs(t, err, consent.ErrNumberTaken)
	require.ErrorContains(t, err, "384387")
	require.ErrorContains(t, err, "acme")
	require.False(t, changed)

	_, err = s.Business(ctx, "zenith")
	require.ErrorIs(t, err, consent.ErrNotFound, "the business was not written")
	_, err = s.BusinessByNumber(ctx, "+14155550177")
	require.ErrorIs(t, err, consent.ErrNotFound, "its free number was not claimed")
	owner, err := s.BusinessByNumber(ctx, "384387")
	require.NoError(t, err)
	require.Equal(t, "acme", owner.ID)
}

func TestTwoActiveCategoriesSharingADigitAreRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, b := storeWithAcme(t)
	b.Categories[1].Digit = b.Categories[0].Digit
	_, err := s.ApplyBusiness(ctx, b)
	require.ErrorIs(t, err, consent.ErrInvalid)
}
