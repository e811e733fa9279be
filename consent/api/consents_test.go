package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Phones of the tests.
const (
	ann  = "+14155550101" // acme: order_updates in, offers out
	bob  = "+14155550102" // acme: restock in
	cleo = "+14155550103" // globex only: order_updates in
)

// seedConsents records the consents named by the phone constants.
func seedConsents(e *apiEnv) {
	e.record(
		e.optedIn(acme, ann, "order_updates", testNow.Add(-3*time.Hour)),
		e.optedIn(acme, ann, "offers", testNow.Add(-3*time.Hour)),
		e.optedOut(acme, ann, "offers", testNow.Add(-2*time.Hour)),
		e.optedIn(acme, bob, "restock", testNow.Add(-1*time.Hour)),
		e.optedIn(globex, cleo, "order_updates", testNow.Add(-1*time.Hour)),
	)
}

// listed names the consents of a list answer as phone/category/status.
func listed(t *testing.T, r reply) []string {
	t.Helper()
	out := []string{}
	for _, c := range r.JSON(t)["data"].([]any) {
		m := c.(map[string]any)
		out = append(out, m["phone"].(string)+"/"+m["category"].(string)+"/"+m["status"].(string))
	}
	return out
}

func TestListConsents(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	all := []string{ann + "/offers/opted_out", ann + "/order_updates/opted_in", bob + "/restock/opted_in"}
	tests := []struct {
		name   string
		query  string
		status int
		code   string   // error code when not 200
		says   string   // part of the error message
		want   []string // consents listed when 200
	}{
		{"no filter lists every consent of the business", "", 200, "", "", all},
		{"one category", "?category=offers", 200, "", "", all[:1]},
		{"opted in only", "?status=opted_in", 200, "", "", all[1:]},
		{"opted out only", "?status=opted_out", 200, "", "", all[:1]},
		{"updated since an hour ago", "?updated_since=" + url.QueryEscape(testNow.Add(-time.Hour).Format(time.RFC3339)), 200, "", "", all[2:]},
		{"updated since with a zone offset", "?updated_since=2025-04-11T11:30:00%2B01:00", 200, "", "", all[2:]},
		{"filters combine", "?category=order_updates&status=opted_out", 200, "", "", []string{}},
		{"a category nobody answered yet", "?category=restock&status=opted_out", 200, "", "", []string{}},
		{"an unknown category names the valid ones", "?category=newsletter", 400, "unknown_category", "order_updates, offers, restock", nil},
		{"an unknown status", "?status=subscribed", 400, "bad_request", "opted_in or opted_out", nil},
		{"updated_since not RFC 3339", "?updated_since=yesterday", 400, "bad_request", "RFC 3339", nil},
		{"updated_since whose + became a space", "?updated_since=2025-04-11T09:30:00+00:00", 400, "bad_request", "%2B", nil},
		{"limit 0", "?limit=0", 400, "bad_request", "1 to 1000", nil},
		{"limit over 1000", "?limit=1001", 400, "bad_request", "1 to 1000", nil},
		{"limit not a number", "?limit=ten", 400, "bad_request", "1 to 1000", nil},
		{"limit 1000 is allowed", "?limit=1000", 200, "", "", all},
		{"a cursor that was never issued", "?cursor=abc", 400, "invalid_cursor", "cursor", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(acme, "/v1/consents"+tt.query)
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			if tt.status != 200 {
				require.Equal(t, tt.code, r.ErrorCode(t))
				require.Contains(t, string(r.Body), tt.says)
				return
			}
			require.Equal(t, tt.want, listed(t, r))
			require.Nil(t, r.JSON(t)["next_cursor"], "one page holds them all")
		})
	}
}

func TestListConsentsPagesWithCursors(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	var pages [][]string
	path := "/v1/consents?limit=2"
	for {
		r := e.get(acme, path)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		pages = append(pages, listed(t, r))
		next, _ := r.JSON(t)["next_cursor"].(string)
		if next == "" {
			break
		}
		path = "/v1/consents?limit=2&cursor=" + url.QueryEscape(next)
	}
	require.Equal(t, [][]string{{ann + "/offers/opted_out", ann + "/order_updates/opted_in"}, {bob + "/restock/opted_in"}}, pages)
}

func TestListConsentsRefusesATamperedCursor(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	next := e.get(acme, "/v1/consents?limit=1").JSON(t)["next_cursor"].(string)
	require.Equal(t, http.StatusOK, e.get(acme, "/v1/consents?limit=1&cursor="+next).Status)

	body, sig, _ := strings.Cut(next, ".")
	b := []byte(body)
	b[len(b)/2] ^= 0x01
	for _, cur := range []string{string(b) + "." + sig, body + "." + sig[1:], body, next + "x"} {
		r := e.get(acme, "/v1/consents?limit=1&cursor="+url.QueryEscape(cur))
		require.Equal(t, http.StatusBadRequest, r.Status, "cursor %q: %s", cur, r.Body)
		require.Equal(t, "invalid_cursor", r.ErrorCode(t))
	}
}

func TestConsentsOfOnePhone(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	tests := []struct {
		name   string
		path   string
		status int
		phone  string
		want   []string
	}{
		{"the + written as %2B", "/v1/consents/%2B14155550101", 200, ann, []string{ann + "/offers/opted_out", ann + "/order_updates/opted_in"}},
		{"the + written as is", "/v1/consents/+14155550101", 200, ann, []string{ann + "/offers/opted_out", ann + "/order_updates/opted_in"}},
		{"a phone the business never heard of has no consents", "/v1/consents/%2B14155550188", 200, "+14155550188", []string{}},
		{"a national number in the business's region", "/v1/consents/4155550101", 200, ann, []string{ann + "/offers/opted_out", ann + "/order_updates/opted_in"}},
		{"a national number with its trunk prefix", "/v1/consents/14155550101", 200, ann, []string{ann + "/offers/opted_out", ann + "/order_updates/opted_in"}},
		{"letters are refused, never read as the digits of a keypad", "/v1/consents/%2B1415555ABCD", 400, "", nil},
		{"only the category asked for", "/v1/consents/%2B14155550101?category=offers", 200, ann, []string{ann + "/offers/opted_out"}},
		{"not a number", "/v1/consents/%2Bhello", 400, "", nil},
		{"a number that cannot exist", "/v1/consents/%2B1415555", 400, "", nil},
		{"a withheld caller placeholder", "/v1/consents/%2B266696687", 400, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(acme, tt.path)
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			if tt.status != 200 {
				require.Equal(t, "invalid_phone", r.ErrorCode(t))
				return
			}
			body := r.JSON(t)
			require.Equal(t, tt.phone, body["phone"])
			got := []string{}
			for _, c := range body["consents"].([]any) {
				m := c.(map[string]any)
				got = append(got, m["phone"].(string)+"/"+m["category"].(string)+"/"+m["status"].(string))
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestEvidenceOfOnePhone(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	r := e.get(acme, "/v1/consents/%2B14155550101/evidence")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	body := r.JSON(t)
	require.Equal(t, ann, body["phone"])
	events := body["events"].([]any)
	require.Len(t, events, 3, "every event of the phone, oldest first")
	in := events[0].(map[string]any)
	require.Equal(t, "opt_in", in["action"])
	require.Equal(t, "ivr", in["channel"])
	require.Equal(t, "keypress", in["reason"])
	require.Equal(t, "1", in["input"])
	require.True(t, strings.HasPrefix(in["provider_ref"].(string), "CA"))
	d := in["disclosure"].(map[string]any)
	require.Equal(t, "Press 1 to get order_updates from acme on WhatsApp.", d["text"])
	require.Equal(t, "en-US", d["language"])
	require.Len(t, d["sha256"], 64)
	out := events[2].(map[string]any)
	require.Equal(t, "opt_out", out["action"])
	require.Nil(t, out["disclosure"], "an opt-out answered no disclosure")

	unknown := e.get(acme, "/v1/consents/%2B14155550188/evidence")
	require.Equal(t, http.StatusOK, unknown.Status)
	require.Empty(t, unknown.JSON(t)["events"])
	require.Equal(t, http.StatusBadRequest, e.get(acme, "/v1/consents/abc/evidence").Status)
}
