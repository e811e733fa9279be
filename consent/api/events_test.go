package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// feedIDs returns the event ids of a feed answer and its next_after.
func feedIDs(t *testing.T, r reply) ([]int64, int64) {
	t.Helper()
	body := r.JSON(t)
	ids := []int64{}
	for _, ev := range body["data"].([]any) {
		ids = append(ids, int64(ev.(map[string]any)["id"].(float64)))
	}
	return ids, int64(body["next_after"].(float64))
}

func TestEventsFeed(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	all, _ := feedIDs(t, e.get(acme, "/v1/events"))
	require.Len(t, all, 4, "acme's four events")
	last := all[3]
	tests := []struct {
		name   string
		query  string
		status int
		ids    []int64
		next   int64
	}{
		{"from the start", "", 200, all, last},
		{"a page of two", "?limit=2", 200, all[:2], all[1]},
		{"after the second", fmt.Sprintf("?after=%d", all[1]), 200, all[2:], last},
		{"nothing new keeps next_after where it was", fmt.Sprintf("?after=%d", last), 200, []int64{}, last},
		{"far ahead", "?after=999999", 200, []int64{}, 999999},
		{"a negative after", "?after=-1", 400, nil, 0},
		{"after not a number", "?after=last", 400, nil, 0},
		{"limit over 1000", "?limit=5000", 400, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(acme, "/v1/events"+tt.query)
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			if tt.status != 200 {
				require.Equal(t, "bad_request", r.ErrorCode(t))
				return
			}
			ids, next := feedIDs(t, r)
			require.Equal(t, tt.ids, ids)
			require.Equal(t, tt.next, next)
		})
	}
	first := e.get(acme, "/v1/events?limit=1").JSON(t)["data"].([]any)[0].(map[string]any)
	require.Equal(t, map[string]any{"id": float64(all[0]), "phone": ann, "category": "order_updates",
		"action": "opt_in", "channel": "ivr", "reason": "keypress", "occurred_at": "2025-04-11T09:00:00Z"}, first)
}

func TestEventsFeedFollowsNewEvents(t *testing.T) {
	e := newEnv(t)
	_, next := feedIDs(t, e.get(acme, "/v1/events"))
	require.Zero(t, next, "an empty ledger")
	e.record(e.optedIn(acme, ann, "offers", testNow))
	ids, next2 := feedIDs(t, e.get(acme, fmt.Sprintf("/v1/events?after=%d", next)))
	require.Len(t, ids, 1)
	require.Equal(t, ids[0], next2)
	r := e.get(acme, fmt.Sprintf("/v1/events?after=%d", next2))
	require.Equal(t, http.StatusOK, r.Status)
	ids, _ = feedIDs(t, r)
	require.Empty(t, ids)
}
