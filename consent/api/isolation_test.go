package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// isolationCase is one request a key of business self makes, aimed at the other's data.
type isolationCase struct {
	name   string
	req    func(e *apiEnv, self, other, theirPhone string) *http.Request
	status int
}

var isolationCases = []isolationCase{
	{"categories list only its own", func(e *apiEnv, self, _, _ string) *http.Request {
		return e.request(self, http.MethodGet, "/v1/categories", nil)
	}, 200},
	{"the consent list holds only its own", func(e *apiEnv, self, _, _ string) *http.Request {
		return e.request(self, http.MethodGet, "/v1/consents?limit=1000", nil)
	}, 200},
	{"the other's category is unknown", func(e *apiEnv, self, other, _ string) *http.Request {
		return e.request(self, http.MethodGet, "/v1/consents?category="+onlyCategoryOf(e, other, self), nil)
	}, 400},
	{"the other's cursor is refused", func(e *apiEnv, self, other, _ string) *http.Request {
		next := e.get(other, "/v1/consents?limit=1").JSON(e.t)["next_cursor"].(string)
		return e.request(self, http.MethodGet, "/v1/consents?cursor="+url.QueryEscape(next), nil)
	}, 400},
	{"the other's customer answers like an unknown phone", func(e *apiEnv, self, _, phone string) *http.Request {
		return e.request(self, http.MethodGet, "/v1/consents/"+url.PathEscape(phone), nil)
	}, 200},
	{"the other's customer has no evidence here", func(e *apiEnv, self, _, phone string) *http.Request {
		return e.request(self, http.MethodGet, "/v1/consents/"+url.PathEscape(phone)+"/evidence", nil)
	}, 200},
	{"a customer of both shows only this business's evidence", func(e *apiEnv, self, _, _ string) *http.Request {
		return e.request(self, http.MethodGet, "/v1/consents/%2B14155550101/evidence", nil)
	}, 200},
	{"the events feed holds only its own", func(e *apiEnv, self, _, _ string) *http.Request {
		return e.request(self, http.MethodGet, "/v1/events?limit=1000", nil)
	}, 200},
	{"the NDJSON export holds only its own", func(e *apiEnv, self, _, _ string) *http.Request {
		return e.request(self, http.MethodGet, "/v1/export", nil)
	}, 200},
	{"the CSV export holds only its own", func(e *apiEnv, self, _, _ string) *http.Request {
		return e.request(self, http.MethodGet, "/v1/export?format=csv", nil)
	}, 200},
	{"opting out the other's customer records it here only", func(e *apiEnv, self, _, phone string) *http.Request {
		return e.request(self, http.MethodPost, "/v1/opt-outs", map[string]any{"phone": phone})
	}, 201},
	{"an Idempotency-Key the other used records anew here", func(e *apiEnv, self, _, _ string) *http.Request {
		req := e.request(self, http.MethodPost, "/v1/opt-outs", map[string]any{"phone": ann})
		req.Header.Set("Idempotency-Key", sharedIdempotencyKey)
		return req
	}, 201},
	{"opting in to the other's category is refused", func(e *apiEnv, self, other, phone string) *http.Request {
		return e.request(self, http.MethodPost, "/v1/opt-ins", map[string]any{"phone": phone, "channel": "web",
			"categories": []string{onlyCategoryOf(e, other, self)}, "disclosure": goodWebDisclosure})
	}, 400},
}

// sharedIdempotencyKey is used by both businesses.
const sharedIdempotencyKey = "same-key-at-both"

// onlyCategoryOf is a category key business a has and b has not.
func onlyCategoryOf(e *apiEnv, a, b string) string {
	for _, c := range e.businesses[a].Categories {
		if _, shared := e.businesses[b].Category(c.Key); !shared {
			return c.Key
		}
	}
	e.t.Fatalf("%s has no category of its own", a)
	return ""
}

func TestIsolationMatrix(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	e.record(e.optedIn(globex, ann, "newsletter", testNow.Add(-time.Minute))) // ann is a customer of both
	for _, b := range []string{acme, globex} {
		r := e.post(b, "/v1/opt-outs", map[string]any{"phone": ann}, "Idempotency-Key", sharedIdempotencyKey)
		require.Equal(t, http.StatusCreated, r.Status)
	}
	pairs := []struct{ self, other, theirPhone string }{{acme, globex, cleo}, {globex, acme, bob}}
	for _, p := range pairs {
		theirs := ledgerOf(t, e, p.other)
		theirIDs := map[int64]bool{}
		for _, ev := range theirs {
			theirIDs[ev.ID] = true
		}
		for _, tc := range isolationCases {
			t.Run(p.self+": "+tc.name, func(t *testing.T) {
				r := e.do(tc.req(e, p.self, p.other, p.theirPhone))
				require.Equal(t, tc.status, r.Status, "%s", r.Body)
				for _, id := range idsIn(t, r) {
					require.False(t, theirIDs[id], "event %d of %s leaked to %s", id, p.other, p.self)
				}
				requireOnlyOwnCategories(t, e, p.self, r)
				if tc.status == 200 && r.Header.Get("Content-Type") == "application/json; charset=utf-8" {
					requireUnknownPhoneShape(t, r, p.theirPhone)
				}
			})
		}
		require.Equal(t, theirs, ledgerOf(t, e, p.other), "%s's ledger is untouched by %s's key", p.other, p.self)
	}
}

// ledgerOf reads a business's whole ledger straight from the store.
func ledgerOf(t *testing.T, e *apiEnv, business string) []consent.Event {
	t.Helper()
	evs, err := e.store.EventsAfter(context.Background(), business, 0, 100000)
	require.NoError(t, err)
	return evs
}

// idsIn collects every event id of an answer: "id" and "event_id" in JSON and NDJSON, the
// event_id column of CSV.
func idsIn(t *testing.T, r reply) []int64 {
	t.Helper()
	var ids []int64
	if r.Header.Get("Content-Type") == "text/csv; charset=utf-8" {
		records, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		require.NoError(t, err)
		for _, rec := range records[1:] {
			id, err := strconv.ParseInt(rec[5], 10, 64)
			require.NoError(t, err)
			ids = append(ids, id)
		}
		return ids
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	for dec.More() {
		var v any
		require.NoError(t, dec.Decode(&v))
		walkJSON(v, func(key string, val any) {
			if n, ok := val.(float64); ok && (key == "id" || key == "event_id") {
				ids = append(ids, int64(n))
			}
		})
	}
	return ids
}

func walkJSON(v any, visit func(key string, val any)) {
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			visit(k, val)
			walkJSON(val, visit)
		}
	case []any:
		for _, val := range v {
			walkJSON(val, visit)
		}
	}
}

// requireOnlyOwnCategories fails when an answer names a category the business does not have.
func requireOnlyOwnCategories(t *testing.T, e *apiEnv, business string, r reply) {
	t.Helper()
	if r.Header.Get("Content-Type") != "application/json; charset=utf-8" && r.Header.Get("Content-Type") != "application/x-ndjson" {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	for dec.More() {
		var v any
		require.NoError(t, dec.Decode(&v))
		walkJSON(v, func(key string, val any) {
			if s, ok := val.(string); ok && (key == "category" || key == "key") {
				_, own := e.businesses[business].Category(s)
				require.True(t, own, "%s sees category %q, which is not its own", business, s)
			}
		})
	}
}

// requireUnknownPhoneShape fails when an answer about the other's customer holds anything.
func requireUnknownPhoneShape(t *testing.T, r reply, theirPhone string) {
	t.Helper()
	body := r.JSON(t)
	if body["phone"] != theirPhone {
		return
	}
	for _, list := range []string{"consents", "events"} {
		if v, ok := body[list]; ok {
			require.Empty(t, v, "another business's customer answers like an unknown phone")
		}
	}
}
