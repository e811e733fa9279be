package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// recorded returns category/action/channel/reason of each event of a 201 answer.
func recorded(t *testing.T, r reply) []string {
	t.Helper()
	out := []string{}
	for _, ev := range r.JSON(t)["data"].([]any) {
		m := ev.(map[string]any)
		out = append(out, strings.Join([]string{m["phone"].(string), m["category"].(string),
			m["action"].(string), m["channel"].(string), m["reason"].(string)}, "/"))
	}
	return out
}

func TestOptOut(t *testing.T) {
	tests := []struct {
		name     string
		business string
		body     any
		status   int
		code     string
		want     []string
	}{
		{"no category stops every category", acme, map[string]any{"phone": ann}, 201, "", []string{
			ann + "/order_updates/opt_out/api/api", ann + "/offers/opt_out/api/api", ann + "/restock/opt_out/api/api"}},
		{"one category stops only that one", acme, map[string]any{"phone": ann, "category": "offers"}, 201, "",
			[]string{ann + "/offers/opt_out/api/api"}},
		{"one category stops all of them at a business that revokes globally", globex,
			map[string]any{"phone": cleo, "category": "newsletter"}, 201, "",
			[]string{cleo + "/order_updates/opt_out/api/api", cleo + "/newsletter/opt_out/api/api"}},
		{"a national number is read in the business's region", acme, map[string]any{"phone": "(415) 555-0101", "category": "offers"}, 201, "",
			[]string{ann + "/offers/opt_out/api/api"}},
		{"no phone", acme, map[string]any{"category": "offers"}, 400, "invalid_phone", nil},
		{"a phone that is not a number", acme, map[string]any{"phone": "call me"}, 400, "invalid_phone", nil},
		{"an unknown category", acme, map[string]any{"phone": ann, "category": "newsletter"}, 400, "unknown_category", nil},
		{"a misspelt field", acme, map[string]any{"phone": ann, "categroy": "offers"}, 400, "bad_request", nil},
		{"not JSON", acme, "phone=+14155550101", 400, "bad_request", nil},
		{"an empty body", acme, "", 400, "bad_request", nil},
		{"two objects", acme, `{"phone":"+14155550101"}{"phone":"+14155550102"}`, 400, "bad_request", nil},
		{"a body over the limit", acme, `{"phone":"` + strings.Repeat("1", 1<<20) + `"}`, 413, "request_too_large", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.post(tt.business, "/v1/opt-outs", tt.body)
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			if tt.status != 201 {
				require.Equal(t, tt.code, r.ErrorCode(t))
				return
			}
			require.Equal(t, tt.want, recorded(t, r))
			phone := r.JSON(t)["data"].([]any)[0].(map[string]any)["phone"].(string)
			cs, err := e.store.ConsentsOf(context.Background(), tt.business, phone)
			require.NoError(t, err)
			require.Len(t, cs, len(tt.want))
			for _, c := range cs {
				require.Equal(t, consent.StatusOptedOut, c.Status)
			}
		})
	}
}

func TestOptOutBodyOverTheLimitWithoutContentLength(t *testing.T) {
	e := newEnv(t)
	req := e.request(acme, http.MethodPost, "/v1/opt-outs", nil)
	req.Body = &endlessJSON{}
	req.ContentLength = -1 // sent chunked
	r := e.do(req)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status, "%s", r.Body)
	require.Equal(t, "request_too_large", r.ErrorCode(t))
}

// endlessJSON is a request body that never ends: a string that keeps going.
type endlessJSON struct{ started bool }

func (b *endlessJSON) Read(p []byte) (int, error) {
	if !b.started {
		b.started = true
		return copy(p, `{"phone":"`), nil
	}
	for i := range p {
		p[i] = '1'
	}
	return len(p), nil
}

func (b *endlessJSON) Close() error { return nil }

func TestRetriedWritesWithTheSameIdempotencyKeyRecordOnce(t *testing.T) {
	e := newEnv(t)
	optIn := map[string]any{"phone": ann, "categories": []string{"offers"}, "channel": "web", "disclosure": goodWebDisclosure}
	tests := []struct {
		name string
		path string
		body any
	}{
		{"an opt-out", "/v1/opt-outs", map[string]any{"phone": bob}},
		{"an opt-in", "/v1/opt-ins", optIn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := e.post(acme, tt.path, tt.body, "Idempotency-Key", "retry-"+tt.name)
			again := e.post(acme, tt.path, tt.body, "Idempotency-Key", "retry-"+tt.name)
			require.Equal(t, http.StatusCreated, first.Status, "%s", first.Body)
			require.Equal(t, http.StatusCreated, again.Status, "%s", again.Body)
			require.JSONEq(t, string(first.Body), string(again.Body), "the retry answers with the first request's events")
			fresh := e.post(acme, tt.path, tt.body)
			require.NotEqual(t, string(first.Body), string(fresh.Body), "without the header a request is new")
		})
	}
	ids, _ := feedIDs(t, e.get(acme, "/v1/events"))
	require.Len(t, ids, 3+3+1+1, "two opt-outs of three categories and two opt-ins of one")

	bad := e.post(acme, "/v1/opt-outs", map[string]any{"phone": ann}, "Idempotency-Key", strings.Repeat("k", 256))
	require.Equal(t, http.StatusBadRequest, bad.Status)
}

// goodWebDisclosure passes the lint for acme's offers and order_updates on the web.
const goodWebDisclosure = "Yes, Acme Outdoor may send me order updates (up to 5 messages per order) and offers and promotions " +
	"(up to 4 messages a month) on WhatsApp. I can opt out at any time by replying STOP."

func TestOptIn(t *testing.T) {
	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		want   []string
	}{
		{"a web form for two categories", map[string]any{"phone": ann, "categories": []string{"order_updates", "offers"},
			"channel": "web", "disclosure": goodWebDisclosure, "evidence": map[string]any{"form": "checkout", "ip": "203.0.113.9"}},
			201, "", []string{ann + "/order_updates/opt_in/web/api", ann + "/offers/opt_in/web/api"}},
		{"a signed paper form in Spanish", map[string]any{"phone": ann, "categories": []string{"offers"}, "channel": "paper",
			"language": "es-US", "disclosure": goodWebDisclosure}, 201, "", []string{ann + "/offers/opt_in/paper/api"}},
		{"a category named twice counts once", map[string]any{"phone": ann, "categories": []string{"offers", "offers"},
			"channel": "web", "disclosure": goodWebDisclosure}, 201, "", []string{ann + "/offers/opt_in/web/api"}},
		{"a disclosure without WhatsApp is refused", map[string]any{"phone": ann, "categories": []string{"offers"},
			"channel": "web", "disclosure": "Acme Outdoor may send me offers and promotions. Reply STOP to opt out."}, 422, "disclosure_incomplete", nil},
		{"a disclosure that does not name the category", map[string]any{"phone": ann, "categories": []string{"restock"},
			"channel": "web", "disclosure": goodWebDisclosure}, 422, "disclosure_incomplete", nil},
		{"no categories", map[string]any{"phone": ann, "categories": []string{}, "channel": "web", "disclosure": goodWebDisclosure}, 400, "bad_request", nil},
		{"an unknown category", map[string]any{"phone": ann, "categories": []string{"offers", "newsletter"}, "channel": "web",
			"disclosure": goodWebDisclosure}, 400, "unknown_category", nil},
		{"a channel the API does not take", map[string]any{"phone": ann, "categories": []string{"offers"}, "channel": "ivr",
			"disclosure": goodWebDisclosure}, 400, "bad_request", nil},
		{"no disclosure", map[string]any{"phone": ann, "categories": []string{"offers"}, "channel": "web"}, 400, "bad_request", nil},
		{"a language that is no tag", map[string]any{"phone": ann, "categories": []string{"offers"}, "channel": "web",
			"language": "English", "disclosure": goodWebDisclosure}, 400, "bad_request", nil},
		{"evidence that is not an object", map[string]any{"phone": ann, "categories": []string{"offers"}, "channel": "web",
			"disclosure": goodWebDisclosure, "evidence": "signed"}, 400, "bad_request", nil},
		{"a withheld number", map[string]any{"phone": "anonymous", "categories": []string{"offers"}, "channel": "web",
			"disclosure": goodWebDisclosure}, 400, "invalid_phone", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.post(acme, "/v1/opt-ins", tt.body)
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			if tt.status != 201 {
				require.Equal(t, tt.code, r.ErrorCode(t))
				ids, _ := feedIDs(t, e.get(acme, "/v1/events"))
				require.Empty(t, ids, "nothing is recorded")
				return
			}
			require.Equal(t, tt.want, recorded(t, r))
			evidence, err := e.store.Evidence(context.Background(), acme, ann)
			require.NoError(t, err)
			require.Len(t, evidence, len(tt.want))
			for _, ev := range evidence {
				require.Equal(t, tt.body["disclosure"], ev.Disclosure.Text, "the text the person saw is the proof")
				require.Equal(t, consent.Channel(tt.body["channel"].(string)), ev.Disclosure.Channel)
				require.Equal(t, tt.body["evidence"], mapOrNil(ev.Evidence))
				require.Equal(t, evidence[0].Disclosure.ID, ev.Disclosure.ID, "one stored text for every category")
			}
		})
	}
}

func mapOrNil(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

func TestOptInRefusalListsWhatTheDisclosureLacks(t *testing.T) {
	e := newEnv(t)
	r := e.post(acme, "/v1/opt-ins", map[string]any{"phone": ann, "categories": []string{"offers"}, "channel": "paper",
		"disclosure": "Sign here for offers and promotions."})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	body := r.JSON(t)["error"].(map[string]any)
	require.Equal(t, []any{`business name "Acme Outdoor"`, "the word WhatsApp",
		`frequency "up to 4 messages a month" of offers and promotions`, "how to opt out"}, body["missing"],
		"a paper form must say how often messages come, like every other disclosure")
	require.Contains(t, body["message"], "the word WhatsApp")
}

func TestANULCharacterIsRefusedNamingWhereItIs(t *testing.T) {
	optIn := func(change func(map[string]any)) map[string]any {
		body := map[string]any{"phone": ann, "categories": []string{"offers"}, "channel": "web", "disclosure": goodWebDisclosure}
		change(body)
		return body
	}
	tests := []struct {
		name, path string
		body       map[string]any
		where      string
	}{
		{"in an opt-in's disclosure", "/v1/opt-ins", optIn(func(b map[string]any) { b["disclosure"] = goodWebDisclosure + "\x00" }), "disclosure"},
		{"deep in an opt-in's evidence", "/v1/opt-ins", optIn(func(b map[string]any) {
			b["evidence"] = map[string]any{"form": map[string]any{"fields": []any{"ok", "bad\x00"}}}
		}), "evidence.form.fields[1]"},
		{"in an evidence key", "/v1/opt-ins", optIn(func(b map[string]any) { b["evidence"] = map[string]any{"ip\x00": "203.0.113.9"} }), "evidence (a key)"},
		{"in an opt-out's category", "/v1/opt-outs", map[string]any{"phone": ann, "category": "offers\x00"}, "category"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.post(acme, tt.path, tt.body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
			require.Contains(t, string(r.Body), tt.where+" contains a NUL character")
			ids, _ := feedIDs(t, e.get(acme, "/v1/events"))
			require.Empty(t, ids, "nothing is recorded")
		})
	}
}
