package postgres_test

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

// toggle is a live write that flips phone's offers and records, as its input, the status it
// was decided on.
func toggle(phone string) consent.Write {
	return consent.Write{BusinessID: "acme", Phone: phone, Decide: func(st consent.State) consent.Outcome {
		saw := consent.Status("none")
		for _, c := range st.Consents {
			if c.Category == "offers" {
				saw = c.Status
			}
		}
		e := consent.Event{BusinessID: "acme", Phone: phone, Category: "offers", Action: consent.ActionOptIn,
			Channel: consent.ChannelSMS, Reason: consent.ReasonKeyword, Input: "saw:" + string(saw), IdempotencyKey: "live:" + rand.Text()}
		if saw == consent.StatusOptedIn {
			e.Action = consent.ActionOptOut
		} else {
			d := consent.NewDisclosure("acme", consent.ChannelSMS, "en-US", "Acme Outdoor offers on WhatsApp. Reply STOP OFFERS to opt out.")
			e.Disclosure = &d
		}
		return consent.Outcome{Events: []consent.Event{e}}
	}}
}

// liveWritesSawAWrongStateSQL lists the live events whose write saw a status other than the
// one the ledger's events committed before it (lower ids: ids follow commit order) left: the
// latest of them by (occurred_at, id). A unit that an import slipped into would show here.
const liveWritesSawAWrongStateSQL = `
SELECT e.id, e.input, COALESCE((
	SELECT CASE p.action WHEN 'opt_in' THEN 'opted_in' ELSE 'opted_out' END FROM consent_events p
	WHERE p.business_id = e.business_id AND p.phone = e.phone AND p.category = e.category AND p.id < e.id
	ORDER BY p.occurred_at DESC, p.id DESC LIMIT 1), 'none') AS before
FROM consent_events e
WHERE e.business_id = $1 AND e.input LIKE 'saw:%'
ORDER BY e.id`

func TestAnImportNeverInterleavesWithLiveWritesAboutTheSamePeople(t *testing.T) {
	s, _ := storeWithAcme(t)
	ctx := context.Background()
	phones := []string{"+14155550001", "+14155550002", "+14155550003", "+14155550004"}
	for try := range 25 {
		var wg sync.WaitGroup
		for _, p := range phones {
			wg.Go(func() {
				for range 6 {
					_, err := s.Commit(ctx, toggle(p))
					assert.NoError(t, err)
				}
			})
		}
		wg.Go(func() {
			for unit := range 6 {
				_, err := s.ImportEvents(ctx, "acme", racingImport(try, unit, phones))
				assert.NoError(t, err)
			}
		})
		wg.Wait()
		assertLiveWritesSawTheCommittedState(t, s, try)
		assertConsentsAreTheLatestEvents(t, s, try)
	}
}

// racingImport is a unit of imported rows about phones, each a moment old, so that some are
// newer than the state they meet and some older.
func racingImport(try, unit int, phones []string) []consent.Event {
	var rows []consent.Event
	for i, p := range phones {
		action := consent.ActionOptOut
		var d *consent.Disclosure
		if mrand.IntN(2) == 0 {
			action = consent.ActionOptIn
			text := consent.NewDisclosure("acme", consent.ChannelPaper, "en-US", "Acme Outdoor offers on WhatsApp. Reply STOP to opt out.")
			d = &text
		}
		key := fmt.Sprintf("race-%d-%d-%d", try, unit, i)
		rows = append(rows, consent.Event{BusinessID: "acme", Phone: p, Category: "offers", Action: action,
			Channel: consent.ChannelPaper, Reason: consent.ReasonImport, Disclosure: d,
			Evidence:       map[string]any{"import": map[string]any{"key": key}},
			OccurredAt:     time.Now().Add(-time.Duration(mrand.IntN(3000)) * time.Microsecond),
			IdempotencyKey: "import:" + key})
	}
	return rows
}

func assertLiveWritesSawTheCommittedState(t *testing.T, s *postgres.Store, try int) {
	t.Helper()
	var rows []struct {
		ID     int64  `db:"id"`
		Input  string `db:"input"`
		Before string `db:"before"`
	}
	require.NoError(t, s.DB().SelectContext(context.Background(), &rows, liveWritesSawAWrongStateSQL, "acme"))
	require.NotEmpty(t, rows)
	for _, r := range rows {
		assert.Equal(t, r.Before, strings.TrimPrefix(r.Input, "saw:"), "try %d: live event %d was decided on a state no commit left", try, r.ID)
	}
}
