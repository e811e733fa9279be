package imports_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/imports"
)

// memorySink records events by key in memory, refusing those of one phone as a ledger would
// refuse a row it cannot hold.
type memorySink struct {
	keys    map[string]bool
	units   []int
	refused string
}

func (s *memorySink) ImportEvents(_ context.Context, _ string, events []consent.Event) (int, error) {
	for _, e := range events {
		if e.Phone == s.refused {
			return 0, fmt.Errorf("a check failed: %w", consent.ErrInvalid)
		}
	}
	s.units = append(s.units, len(events))
	n := 0
	for _, e := range events {
		if !s.keys[e.IdempotencyKey] {
			s.keys[e.IdempotencyKey] = true
			n++
		}
	}
	return n, nil
}

// optOutLines is an NDJSON file of n opt-outs with keys k1…kn, one phone each.
func optOutLines(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"phone":"+1415555%04d","category":"offers","status":"opted_out","occurred_at":"2023-06-01T10:00:00Z","channel":"sms","key":"k%d"}`+"\n", i, i)
	}
	return b.String()
}

func runImport(t *testing.T, sink imports.Sink, file string, opts imports.Options) (imports.Summary, error) {
	t.Helper()
	src, err := imports.Open(strings.NewReader(file), "")
	require.NoError(t, err)
	return imports.Run(context.Background(), sink, src, imports.NewChecker(demoBusiness(t), importNow, imports.CheckOptions{}), opts)
}

func TestRowsAreRecordedInUnitsAndAReimportSkipsThemAll(t *testing.T) {
	sink := &memorySink{keys: map[string]bool{}}
	var progress []int
	opts := imports.Options{BatchRows: 4, Progress: func(s imports.Summary) { progress = append(progress, s.Rows()) }}
	sum, err := runImport(t, sink, optOutLines(10), opts)
	require.NoError(t, err)
	assert.Equal(t, imports.Summary{Imported: 10}, sum)
	assert.Equal(t, []int{4, 4, 2}, sink.units)
	assert.Equal(t, []int{4, 8, 10}, progress)

	sum, err = runImport(t, sink, optOutLines(10), opts)
	require.NoError(t, err)
	assert.Equal(t, imports.Summary{Skipped: 10}, sum)
}

func TestARowTheLedgerRefusesIsReportedByItsLineAndTheOthersLand(t *testing.T) {
	sink := &memorySink{keys: map[string]bool{}, refused: "+14155550006"}
	file := optOutLines(5) + `{"phone":"+14155552671","category":"offers","status":"opted_out","occurred_at":"nope","channel":"sms","key":"bad"}` + "\n" + optOutLines(9)[len(optOutLines(5)):]
	sum, err := runImport(t, sink, file, imports.Options{BatchRows: 8})
	require.NoError(t, err)
	assert.Equal(t, 8, sum.Imported, "rows 1–5 and 7–10 but the refused one")
	assert.Equal(t, 2, sum.Failed)
	require.Len(t, sum.Errors, 2)
	assert.Equal(t, 6, sum.Errors[0].Line)
	assert.Contains(t, sum.Errors[0].Message, "occurred_at must be")
	assert.Equal(t, 7, sum.Errors[1].Line)
	assert.Contains(t, sum.Errors[1].Message, "the ledger refused the row")
}

func TestAStoreThatFailsEndsTheImportWithWhatWasRecorded(t *testing.T) {
	sum, err := runImport(t, &failingSink{after: 1}, optOutLines(10), imports.Options{BatchRows: 4})
	require.ErrorContains(t, err, "recording rows from line 5")
	assert.Equal(t, 4, sum.Imported)
}

// failingSink records `after` units, then fails as a database that went away.
type failingSink struct{ after, units int }

func (s *failingSink) ImportEvents(_ context.Context, _ string, events []consent.Event) (int, error) {
	if s.units >= s.after {
		return 0, errors.New("connection refused")
	}
	s.units++
	return len(events), nil
}
