package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

// listFixture holds acme with phones +1415555020N (N = 0..3) opted in to order_updates at
// minute N, phone 1 also opted out of offers at minute 10, and a globex customer on the
// shared category key, who must never show up in acme's lists.
func listFixture(t *testing.T) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	globex := consent.Business{ID: "globex", Name: "Globex", Help: "globex.example", Numbers: []string{"+14155550199"},
		Language: "en-US", Region: "US", Revocation: consent.RevocationGlobal,
		Categories: []consent.Category{{Key: "order_updates", Label: "order updates", Keyword: "ORDERS", Digit: 1, Frequency: "weekly"}}}
	_, err := s.ApplyBusiness(ctx, globex)
	require.NoError(t, err)
	var events []consent.Event
	for n := range 4 {
		events = append(events, listEvent("acme", listPhone(n), "order_updates", consent.ActionOptIn, n))
	}
	events = append(events, listEvent("acme", listPhone(1), "offers", consent.ActionOptOut, 10),
		listEvent("globex", listPhone(0), "order_updates", consent.ActionOptIn, 20))
	_, err = s.Record(ctx, events)
	require.NoError(t, err)
	return s
}

func listPhone(n int) string { return fmt.Sprintf("+1415555020%d", n) }

// listEvent is an event of business for phone and category at minute m after t0.
func listEvent(business, phone, category string, action consent.Action, m int) consent.Event {
	e := consent.Event{BusinessID: business, Phone: phone, Category: category, Action: action,
		Channel: consent.ChannelSMS, Reason: consent.ReasonKeyword, Input: "YES",
		OccurredAt:     t0.Add(time.Duration(m) * time.Minute),
		IdempotencyKey: fmt.Sprintf("list:%s:%s:%s:%s:%d", business, phone, category, action, m)}
	if action == consent.ActionOptIn {
		d := consent.NewDisclosure(business, consent.ChannelSMS, "en-US", "Reply YES for "+category+" on WhatsApp.")
		e.Disclosure = &d
	}
	return e
}

// keysOf names consents as phone/category.
func keysOf(cs []consent.Consent) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Phone + "/" + c.Category
	}
	return out
}

func TestListConsents(t *testing.T) {
	s := listFixture(t)
	tests := []struct {
		name  string
		f     consent.ConsentFilter
		after consent.ConsentKey
		limit int
		want  []string
	}{
		{"everything in phone then category order", consent.ConsentFilter{}, consent.ConsentKey{}, 10,
			[]string{"+14155550200/order_updates", "+14155550201/offers", "+14155550201/order_updates",
				"+14155550202/order_updates", "+14155550203/order_updates"}},
		{"a page stops at the limit", consent.ConsentFilter{}, consent.ConsentKey{}, 2,
			[]string{"+14155550200/order_updates", "+14155550201/offers"}},
		{"the next page starts after the last key", consent.ConsentFilter{},
			consent.ConsentKey{Phone: "+14155550201", Category: "offers"}, 2,
			[]string{"+14155550201/order_updates", "+14155550202/order_updates"}},
		{"one category", consent.ConsentFilter{Category: "offers"}, consent.ConsentKey{}, 10,
			[]string{"+14155550201/offers"}},
		{"opted in only", consent.ConsentFilter{Status: consent.StatusOptedIn}, consent.ConsentKey{}, 10,
			[]string{"+14155550200/order_updates", "+14155550201/order_updates", "+14155550202/order_updates", "+14155550203/order_updates"}},
		{"updated since an instant, inclusive", consent.ConsentFilter{UpdatedSince: t0.Add(2 * time.Minute)}, consent.ConsentKey{}, 10,
			[]string{"+14155550201/offers", "+14155550202/order_updates", "+14155550203/order_updates"}},
		{"every filter at once", consent.ConsentFilter{Category: "order_updates", Status: consent.StatusOptedIn, UpdatedSince: t0.Add(3 * time.Minute)},
			consent.ConsentKey{}, 10, []string{"+14155550203/order_updates"}},
		{"past the end", consent.ConsentFilter{}, consent.ConsentKey{Phone: "+19999999999", Category: "z"}, 10, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListConsents(context.Background(), "acme", tt.f, tt.after, tt.limit)
			require.NoError(t, err)
			require.Equal(t, tt.want, keysOf(got))
			for _, c := range got {
				require.Equal(t, "acme", c.BusinessID)
				require.NotZero(t, c.EventID)
			}
		})
	}
}

func TestListConsentsOfAnotherBusinessSeesOnlyItsOwn(t *testing.T) {
	s := listFixture(t)
	got, err := s.ListConsents(context.Background(), "globex", consent.ConsentFilter{}, consent.ConsentKey{}, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"+14155550200/order_updates"}, keysOf(got))
	require.Equal(t, "globex", got[0].BusinessID)
	require.True(t, t0.Add(20*time.Minute).Equal(got[0].UpdatedAt))
}
