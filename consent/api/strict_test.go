package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAQueryParameterTheEndpointDoesNotTakeIsRefusedByName(t *testing.T) {
	e := newEnv(t)
	seedConsents(e)
	tests := []struct {
		name, path, names string
	}{
		{"a typo in a list filter would have listed people who said STOP", "/v1/consents?category=offers&stauts=opted_in", `"stauts"`},
		{"a filter the per-phone lookup does not take", "/v1/consents/%2B14155550101?status=opted_in", `"status"`},
		{"a parameter on an endpoint that takes none", "/v1/categories?verbose=1", `"verbose"`},
		{"two unknown parameters are both named", "/v1/events?afterr=3&limt=2", `"afterr", "limt"`},
		{"an export filter misspelt", "/v1/export?catgory=offers", `"catgory"`},
		{"the evidence takes no parameters", "/v1/consents/%2B14155550101/evidence?category=offers", `"category"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(acme, tt.path)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
			assert.Equal(t, "bad_request", r.ErrorCode(t))
			assert.Contains(t, errorMessage(t, r), tt.names)
		})
	}
	t.Run("a parameter given twice is refused rather than one of them picked", func(t *testing.T) {
		r := e.get(acme, "/v1/consents?status=opted_in&status=opted_out")
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, errorMessage(t, r), "given 2 times")
	})
	t.Run("a write with a query parameter is refused before it records anything", func(t *testing.T) {
		r := e.post(acme, "/v1/opt-outs?dry_run=1", map[string]any{"phone": "+14155550177"})
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Equal(t, http.StatusOK, e.get(acme, "/v1/consents/%2B14155550177").Status)
		assert.Contains(t, string(e.get(acme, "/v1/consents/%2B14155550177").Body), `"consents":[]`)
	})
}

// errorMessage is error.message of an error answer.
func errorMessage(t *testing.T, r reply) string {
	t.Helper()
	msg, _ := r.JSON(t)["error"].(map[string]any)["message"].(string)
	return msg
}

func TestBodiesThatAreWrongAreExplainedInPlainWords(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, path, body, says string
	}{
		{"a number where the phone goes", "/v1/opt-outs", `{"phone":4155550100}`, "phone must be a string, got number"},
		{"a string where categories go", "/v1/opt-ins", `{"phone":"+14155550100","categories":"offers"}`, "categories must be a list of strings, got string"},
		{"a field the request does not take", "/v1/opt-outs", `{"phone":"+14155550100","categroy":"offers"}`, `unknown field "categroy"`},
		{"JSON cut short", "/v1/opt-outs", `{"phone":"+1415`, "the JSON ends before it is complete"},
		{"not JSON at all", "/v1/opt-outs", `phone=+14155550100`, "not valid JSON"},
		{"a list instead of an object", "/v1/opt-outs", `["+14155550100"]`, "a JSON object is required"},
		{"a vanity number in a body", "/v1/opt-ins", `{"phone":"+1800FLOWERS","categories":["offers"],"channel":"web","disclosure":"x"}`, "has letters"},
		{"letters in an opt-out's phone", "/v1/opt-outs", `{"phone":"+1415555ABCD"}`, "has letters"},
		{"category and categories at once", "/v1/opt-outs", `{"phone":"+14155550100","category":"offers","categories":["restock"]}`, "not both"},
		{"an unknown category in a list", "/v1/opt-outs", `{"phone":"+14155550100","categories":["offers","nope"]}`, "unknown categories nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(acme, tt.path, tt.body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
			msg := errorMessage(t, r)
			assert.Contains(t, msg, tt.says)
			for _, goTalk := range []string{"Go struct", "optOutRequest", "optInRequest", "json:", "[]string"} {
				assert.NotContains(t, msg, goTalk, "no Go internals in an answer")
			}
		})
	}
}

func TestAnOptOutStopsTheCategoriesItNames(t *testing.T) {
	e := newEnv(t)
	r := e.post(acme, "/v1/opt-outs", map[string]any{"phone": "+14155550150", "categories": []string{"offers", "restock"}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	var got []string
	for _, ev := range r.JSON(t)["data"].([]any) {
		got = append(got, ev.(map[string]any)["category"].(string))
	}
	assert.ElementsMatch(t, []string{"offers", "restock"}, got)
	r = e.post(acme, "/v1/opt-outs", map[string]any{"phone": "4155550151"})
	require.Equal(t, http.StatusCreated, r.Status, "a national number in the business's region is accepted in a body: %s", r.Body)
	assert.Equal(t, "+14155550151", r.JSON(t)["data"].([]any)[0].(map[string]any)["phone"])
}
