package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/api"
)

// acmeOffersText passes the lint of web opt-ins for acme's offers.
const acmeOffersText = "Yes, send me offers and promotions from Acme Outdoor on WhatsApp, up to 4 messages a month. Reply STOP OFFERS to opt out."

// importLine is one ImportRow of acme's offers as an NDJSON line.
func importLine(key, phone, status, at string) string {
	disclosure := ""
	if status == "opted_in" {
		disclosure = `,"disclosure":"` + acmeOffersText + `"`
	}
	return fmt.Sprintf(`{"phone":%q,"category":"offers","status":%q,"occurred_at":%q,"channel":"paper","key":%q,"evidence":{"form":"in-store"}%s}`+"\n",
		phone, status, at, key, disclosure)
}

// importBody posts an NDJSON body to /v1/imports as acme.
func (e *apiEnv) importBody(body, query string) reply {
	e.t.Helper()
	return e.post(acme, "/v1/imports"+query, body, "Content-Type", "application/x-ndjson")
}

// summaryOf decodes the answer of an import.
func summaryOf(t *testing.T, r reply) (imported, skipped, failed int, errors []map[string]any) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	var body struct {
		Imported, Skipped, Failed int
		Errors                    []map[string]any
	}
	require.NoError(t, jsonUnmarshal(string(r.Body), &body))
	return body.Imported, body.Skipped, body.Failed, body.Errors
}

func TestImportedRowsLandWithTheirOriginalTimeAndChannel(t *testing.T) {
	e := newEnv(t)
	r := e.importBody(importLine("crm-1", "+14155552671", "opted_in", "2023-06-01T10:00:00Z")+
		importLine("crm-2", "(415) 555-0123", "opted_out", "2023-06-02T10:00:00Z"), "")
	imported, skipped, failed, errs := summaryOf(t, r)
	assert.Equal(t, []int{2, 0, 0}, []int{imported, skipped, failed})
	assert.Empty(t, errs)
	assert.Contains(t, string(r.Body), `"errors":[]`, "errors is a list, also when empty")

	got := e.get(acme, "/v1/consents/%2B14155552671").JSON(t)
	c := got["consents"].([]any)[0].(map[string]any)
	assert.Equal(t, "opted_in", c["status"])
	assert.Equal(t, "paper", c["channel"])
	assert.Equal(t, "2023-06-01T10:00:00Z", c["updated_at"])

	ev := e.get(acme, "/v1/consents/%2B14155552671/evidence").JSON(t)
	event := ev["events"].([]any)[0].(map[string]any)
	assert.Equal(t, "import", event["reason"])
	assert.Equal(t, map[string]any{"form": "in-store", "import": map[string]any{"key": "crm-1"}}, event["evidence"])
	assert.Equal(t, acmeOffersText, event["disclosure"].(map[string]any)["text"])

	national := e.get(acme, "/v1/consents/%2B14155550123").JSON(t)
	assert.Len(t, national["consents"], 1, "a national number is read in the business's region")
}

func TestAReimportOfTheSameFileRecordsNothingTwice(t *testing.T) {
	e := newEnv(t)
	body := importLine("crm-1", "+14155552671", "opted_in", "2023-06-01T10:00:00Z") +
		importLine("crm-2", "+14155550123", "opted_out", "2023-06-02T10:00:00Z")
	summaryOf(t, e.importBody(body, ""))
	imported, skipped, _, _ := summaryOf(t, e.importBody(body, ""))
	assert.Equal(t, 0, imported)
	assert.Equal(t, 2, skipped)
	events := e.get(acme, "/v1/events?after=0").JSON(t)
	assert.Len(t, events["data"], 2)
}

func TestAnImportedRowOlderThanTheCurrentStateDoesNotChangeItAndANewerOneDoes(t *testing.T) {
	e := newEnv(t)
	e.record(e.optedOut(acme, "+14155552671", "offers", testNow.Add(-time.Hour)))
	summaryOf(t, e.importBody(importLine("old", "+14155552671", "opted_in", "2024-01-01T00:00:00Z"), ""))
	got := e.get(acme, "/v1/consents/%2B14155552671?category=offers").JSON(t)
	assert.Equal(t, "opted_out", got["consents"].([]any)[0].(map[string]any)["status"], "the older import is in the ledger only")

	summaryOf(t, e.importBody(importLine("new", "+14155552671", "opted_in", testNow.Add(-time.Minute).Format(time.RFC3339)), ""))
	got = e.get(acme, "/v1/consents/%2B14155552671?category=offers").JSON(t)
	assert.Equal(t, "opted_in", got["consents"].([]any)[0].(map[string]any)["status"], "the newer import moves the state")
}

func TestBadImportRowsAreReportedByLineWhileTheGoodOnesLand(t *testing.T) {
	e := newEnv(t)
	body := importLine("ok-1", "+14155552671", "opted_out", "2023-06-01T10:00:00Z") +
		importLine("letters", "1-800-FLOWERS", "opted_out", "2023-06-01T10:00:00Z") +
		"\n" +
		strings.Replace(importLine("cat", "+14155550123", "opted_out", "2023-06-01T10:00:00Z"), `"offers"`, `"newsletter"`, 1) +
		importLine("future", "+14155550123", "opted_out", testNow.Add(time.Hour).Format(time.RFC3339)) +
		`{"phone":"+14155550123",` + "\n" +
		strings.Replace(importLine("lint", "+14155550123", "opted_in", "2023-06-01T10:00:00Z"), acmeOffersText, "Offers!", 1) +
		importLine("", "+14155550123", "opted_out", "2023-06-01T10:00:00Z") +
		importLine("ok-2", "+14155550123", "opted_out", "2023-06-01T10:00:00Z")
	imported, _, failed, errs := summaryOf(t, e.importBody(body, ""))
	assert.Equal(t, 2, imported)
	assert.Equal(t, 6, failed)
	want := []struct {
		line int
		says string
	}{{2, "phone"}, {4, "category"}, {5, "occurred_at"}, {6, "not valid JSON"}, {7, "disclosure lacks"}, {8, "key is required"}}
	require.Len(t, errs, len(want))
	for i, w := range want {
		assert.Equal(t, float64(w.line), errs[i]["line"])
		assert.Contains(t, errs[i]["message"], w.says, "line %d", w.line)
	}
}

func TestAnImportBodyThatIsNotNDJSONAtAllIsRefused(t *testing.T) {
	e := newEnv(t)
	for name, body := range map[string]string{
		"a CSV file":  "phone,category,status\n+14155552671,offers,opted_in\n",
		"a JSON list": `[{"phone":"+14155552671"}]`,
		"no rows":     "\n\n",
	} {
		t.Run(name, func(t *testing.T) {
			r := e.importBody(body, "")
			require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
			assert.Equal(t, "bad_request", r.ErrorCode(t))
		})
	}
	events := e.get(acme, "/v1/events?after=0").JSON(t)
	assert.Empty(t, events["data"])
}

func TestAnOptInWithoutItsDisclosureIsImportedOnlyWhenAllowedAndMarkedSo(t *testing.T) {
	e := newEnv(t)
	row := `{"phone":"+14155552671","category":"offers","status":"opted_in","occurred_at":"2023-06-01T10:00:00Z","channel":"ivr","key":"bare"}` + "\n"
	_, _, failed, errs := summaryOf(t, e.importBody(row, ""))
	assert.Equal(t, 1, failed)
	assert.Contains(t, errs[0]["message"], "allow_missing_disclosure=true")

	imported, _, _, _ := summaryOf(t, e.importBody(row, "?allow_missing_disclosure=true"))
	assert.Equal(t, 1, imported)
	ev := e.get(acme, "/v1/consents/%2B14155552671/evidence").JSON(t)
	event := ev["events"].([]any)[0].(map[string]any)
	assert.Nil(t, event["disclosure"])
	assert.Equal(t, map[string]any{"import": map[string]any{"key": "bare", "disclosure_missing": true}}, event["evidence"])
}

func TestAnImportRefusesUnknownQueryParameters(t *testing.T) {
	e := newEnv(t)
	r := e.importBody(importLine("a", "+14155552671", "opted_out", "2023-06-01T10:00:00Z"), "?allow_missing=true")
	require.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, string(r.Body), "allow_missing")
	r = e.importBody(importLine("a", "+14155552671", "opted_out", "2023-06-01T10:00:00Z"), "?allow_missing_disclosure=yes")
	require.Equal(t, http.StatusBadRequest, r.Status)
}

func TestAnImportBodyLargerThanItsLimitIs413(t *testing.T) {
	e := newEnv(t, func(o *api.Options) { o.MaxImportBytes = 1000 })
	r := e.importBody(strings.Repeat(importLine("a", "+14155552671", "opted_out", "2023-06-01T10:00:00Z"), 10), "")
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status, "%s", r.Body)
	small := e.post(acme, "/v1/opt-outs", strings.Repeat(" ", 2000)+`{"phone":"+14155552671"}`)
	assert.Equal(t, http.StatusCreated, small.Status, "other routes keep their own limit")
}
