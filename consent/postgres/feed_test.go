package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEventsAfterWalksTheLedgerOfOneBusinessInIDOrder(t *testing.T) {
	s := listFixture(t)
	ctx := context.Background()
	all, err := s.EventsAfter(ctx, "acme", 0, 100)
	require.NoError(t, err)
	require.Len(t, all, 5, "acme's five events, not globex's")
	for i, e := range all {
		require.Equal(t, "acme", e.BusinessID)
		if i > 0 {
			require.Greater(t, e.ID, all[i-1].ID)
		}
	}
	require.NotNil(t, all[0].Disclosure, "an opt-in comes with its disclosure")

	page, err := s.EventsAfter(ctx, "acme", all[1].ID, 2)
	require.NoError(t, err)
	require.Equal(t, []int64{all[2].ID, all[3].ID}, []int64{page[0].ID, page[1].ID})

	none, err := s.EventsAfter(ctx, "acme", all[4].ID, 100)
	require.NoError(t, err)
	require.Empty(t, none)

	theirs, err := s.EventsAfter(ctx, "globex", 0, 100)
	require.NoError(t, err)
	require.Len(t, theirs, 1)
}
