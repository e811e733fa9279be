package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestRecordBatchWithARepeatedKeyAppendsItOnce(t *testing.T) {
	s, _ := storeWithAcme(t)
	e := optOut("offers", 1)
	got, err := s.Record(context.Background(), []consent.Event{e, e})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, got[0].ID, got[1].ID, "both positions answer with the one stored event")
	feed, err := s.EventsAfter(context.Background(), "acme", 0, 10)
	require.NoError(t, err)
	assert.Len(t, feed, 1)
}

func TestRecordBatchKeepsTheLatestStateOfOneCategory(t *testing.T) {
	s, _ := storeWithAcme(t)
	// In one batch: an opt-out at minute 5, then an opt-in that occurred earlier, at minute 2.
	got, err := s.Record(context.Background(), []consent.Event{optOut("offers", 5), optIn("offers", 2), optIn("restock", 3)})
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Less(t, got[0].ID, got[1].ID, "ids follow batch order")
	cs, err := s.ConsentsOf(context.Background(), "acme", phone)
	require.NoError(t, err)
	state := map[string]consent.Status{}
	for _, c := range cs {
		state[c.Category] = c.Status
	}
	assert.Equal(t, consent.StatusOptedOut, state["offers"], "the later opt-out wins over the earlier opt-in recorded after it")
	assert.Equal(t, consent.StatusOptedIn, state["restock"])
}

func TestRecordBatchWithAnUnknownCategoryRecordsNothing(t *testing.T) {
	s, _ := storeWithAcme(t)
	_, err := s.Record(context.Background(), []consent.Event{optOut("offers", 1), optOut("lottery", 1)})
	require.ErrorIs(t, err, consent.ErrUnknownCategory)
	feed, err := s.EventsAfter(context.Background(), "acme", 0, 10)
	require.NoError(t, err)
	assert.Empty(t, feed, "the valid event of the batch was not recorded either")
}

func TestOneNewDisclosureAnsweredByManyAtOnceIsStoredOnce(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	const callers = 10
	ids := make([]int64, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := optIn("offers", i)
			e.Phone = fmt.Sprintf("+1415555%04d", 100+i)
			e.Disclosure = &consent.Disclosure{Language: "en-US", Text: "Acme Outdoor offers on WhatsApp, new wording. Press 1."}
			got, err := s.Record(ctx, []consent.Event{e})
			if errs[i] = err; err == nil {
				ids[i] = got[0].Disclosure.ID
			}
		}()
	}
	wg.Wait()
	for i := range callers {
		require.NoError(t, errs[i])
		assert.Equal(t, ids[0], ids[i], "every caller points at the one stored copy of the text")
	}
	var stored int
	require.NoError(t, s.DB().GetContext(ctx, &stored, `SELECT count(*) FROM disclosures WHERE text LIKE '%new wording%'`))
	assert.Equal(t, 1, stored)
}
