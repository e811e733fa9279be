package imports_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/imports"
)

// readAll reads every record of a file, and the problems of the lines that are not rows.
func readAll(t *testing.T, src imports.Source) ([]imports.Record, []imports.Problem) {
	t.Helper()
	var recs []imports.Record
	var problems []imports.Problem
	for {
		rec, err := src.Next()
		if le, ok := errors.AsType[*imports.LineError](err); ok {
			problems = append(problems, imports.Problem(*le))
			continue
		}
		if errors.Is(err, io.EOF) {
			return recs, problems
		}
		require.NoError(t, err)
		recs = append(recs, rec)
	}
}

func TestNDJSONLinesAreNumberedFromOneAndBadLinesReportedByLine(t *testing.T) {
	file := "\xef\xbb\xbf" + `{"phone":"+14155552671","category":"offers","status":"opted_out","occurred_at":"2023-06-01T10:00:00Z","channel":"sms","key":"a"}

{"phone":+1415}
{"phone":"+14155552671","colour":"red"}
{"phone":14155552671}
{"evidence":"a note"}
["a", "row"]
{"phone":"+14155550123","category":"offers","status":"opted_out","occurred_at":"2023-06-01T10:00:00Z","channel":"sms","key":"b","evidence":{"note":"kept"}}`
	src, err := imports.Open(strings.NewReader(file), "")
	require.NoError(t, err)
	recs, problems := readAll(t, src)
	require.Len(t, recs, 2)
	assert.Equal(t, 1, recs[0].Line)
	assert.Equal(t, "a", recs[0].Row.Key)
	assert.Equal(t, 8, recs[1].Line)
	assert.Equal(t, map[string]any{"note": "kept"}, recs[1].Row.Evidence)
	want := map[int]string{3: "not valid JSON", 4: `unknown field "colour"`, 5: "phone must be a JSON string, got number",
		6: "evidence must be a JSON object, got string", 7: "a row must be a JSON object, got array"}
	require.Len(t, problems, len(want))
	for _, p := range problems {
		assert.Contains(t, p.Message, want[p.Line], "line %d", p.Line)
	}
}

func TestABodyThatIsNotNDJSONAtAllIsRefusedBeforeAnyRow(t *testing.T) {
	src := imports.NewNDJSON(strings.NewReader("phone,category\n+14155552671,offers\n"))
	_, err := src.Next()
	require.ErrorIs(t, err, imports.ErrNotNDJSON)
}

func TestAnOverlongNDJSONLineIsReportedAndTheNextOneRead(t *testing.T) {
	file := `{"key":"` + strings.Repeat("x", imports.MaxLineBytes) + `"}` + "\n" + `{"key":"b"}` + "\n"
	recs, problems := readAll(t, imports.NewNDJSON(strings.NewReader(file)))
	require.Len(t, problems, 1)
	assert.Equal(t, 1, problems[0].Line)
	assert.Contains(t, problems[0].Message, "longer than")
	require.Len(t, recs, 1)
	assert.Equal(t, imports.Record{Line: 2, Row: imports.Row{Key: "b"}}, recs[0])
}

func TestCSVColumnsAreReadByTheirHeaderInAnyOrder(t *testing.T) {
	file := `key,phone,category,status,occurred_at,channel,disclosure,evidence
crm-1,'+14155552671,offers,opted_in,2023-06-01T10:00:00Z,paper,"Yes, send me offers and promotions from Acme Outdoor on WhatsApp, up to 4 messages a month. Reply STOP OFFERS to opt out.","{""form"":""in-store""}"
crm-2,+14155550123,offers,opted_out,2023-06-02T10:00:00Z,sms,,
crm-3,+14155550124,offers,opted_out
crm-4,+14155550125,offers,opted_out,2023-06-02T10:00:00Z,sms,,not json
`
	src, err := imports.Open(strings.NewReader(file), "")
	require.NoError(t, err)
	recs, problems := readAll(t, src)
	require.Len(t, recs, 2)
	assert.Equal(t, imports.Record{Line: 2, Row: imports.Row{Key: "crm-1", Phone: "+14155552671", Category: "offers", Status: "opted_in",
		OccurredAt: "2023-06-01T10:00:00Z", Channel: "paper", Disclosure: offersText, Evidence: map[string]any{"form": "in-store"}}}, recs[0],
		"the quote the CSV export puts before a phone is taken off")
	assert.Equal(t, 3, recs[1].Line)
	assert.Nil(t, recs[1].Row.Evidence)
	require.Len(t, problems, 2)
	assert.Equal(t, imports.Problem{Line: 4, Message: "the row does not have one cell for each column of the header"}, problems[0])
	assert.Equal(t, 5, problems[1].Line)
	assert.Contains(t, problems[1].Message, "evidence must be a JSON object")
}

func TestACSVHeaderThatLacksOrInventsColumnsIsRefused(t *testing.T) {
	_, err := imports.Open(strings.NewReader("phone,category,status\n"), imports.FormatCSV)
	require.ErrorContains(t, err, "the CSV header lacks the columns occurred_at, channel, key")
	_, err = imports.Open(strings.NewReader("phone,category,status,occurred_at,channel,key,colour\n"), imports.FormatCSV)
	require.ErrorContains(t, err, `unknown column "colour"`)
	_, err = imports.Open(strings.NewReader(""), imports.FormatCSV)
	require.ErrorContains(t, err, "the CSV file is empty")
}
