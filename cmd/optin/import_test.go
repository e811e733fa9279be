package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres/pgtest"
)

// offersOptIn is a disclosure that passes the lint of web opt-ins for the demo's offers.
const offersOptIn = "Yes, send me offers and promotions from Acme Outdoor on WhatsApp, up to 4 messages a month. Reply STOP OFFERS to opt out."

// importCSV is an import file of the demo business as CSV: an opt-in with its disclosure and
// evidence, and an opt-out of a national number.
const importCSV = `key,phone,category,status,occurred_at,channel,disclosure,evidence
crm-1,+14155552671,offers,opted_in,2023-06-01T10:00:00Z,paper,"` + offersOptIn + `","{""form"":""in-store""}"
crm-2,(415) 555-0123,restock,opted_out,2023-06-02T10:00:00Z,sms,,
`

// withAcme returns the environment of a fresh database holding the demo business.
func withAcme(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{"DATABASE_URL": pgtest.NewURL(t)}
	code, _, errOut := runCLI(t, env, "", "business", "apply", "-f", demoFile)
	require.Equal(t, 0, code, errOut)
	return env
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	return p
}

func TestImportACSVFileThenAgainRecordsNothingTwice(t *testing.T) {
	env := withAcme(t)
	file := writeFile(t, "consents.csv", importCSV)
	code, out, errOut := runCLI(t, env, "", "import", "--business", "acme", "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "imported 2, skipped 0 (imported before), failed 0 of 2 rows for acme")
	assert.Empty(t, errOut, "no progress bar when standard error is not a terminal")

	code, out, errOut = runCLI(t, env, "", "import", "--business", "acme", "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "imported 0, skipped 2 (imported before), failed 0 of 2 rows")

	code, out, errOut = runCLI(t, env, "", "export", "--business", "acme", "-o", "-")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, `{"phone":"+14155550123","category":"restock","status":"opted_out","channel":"sms","updated_at":"2023-06-02T10:00:00Z","event_id":2}
{"phone":"+14155552671","category":"offers","status":"opted_in","channel":"paper","updated_at":"2023-06-01T10:00:00Z","event_id":1}
`, out)
}

func TestImportNDJSONFromStandardInput(t *testing.T) {
	env := withAcme(t)
	ndjson := `{"phone":"+14155552671","category":"offers","status":"opted_out","occurred_at":"2023-06-01T10:00:00Z","channel":"ivr","key":"a"}
{"phone":"+14155550123","category":"offers","status":"opted_out","occurred_at":"2023-06-01T10:00:00Z","channel":"whatsapp","key":"b"}
`
	code, out, errOut := runCLI(t, env, ndjson, "import", "--business", "acme", "-f", "-")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "imported 2, skipped 0")
}

func TestImportListsBadRowsByLineAndKeepsTheGoodOnes(t *testing.T) {
	env := withAcme(t)
	file := writeFile(t, "consents.csv", importCSV+
		"crm-3,+1 415 FLOWERS,offers,opted_out,2023-06-02T10:00:00Z,sms,,\n"+
		"crm-4,+14155550124,offers,opted_in,2023-06-02T10:00:00Z,web,,\n")
	code, out, errOut := runCLI(t, env, "", "import", "--business", "acme", "-f", file)
	assert.Equal(t, 1, code, "an import with bad rows fails")
	assert.Contains(t, out, "imported 2, skipped 0 (imported before), failed 2 of 4 rows")
	assert.Contains(t, errOut, file+`:4: phone "+1 415 FLOWERS" holds letters`)
	assert.Contains(t, errOut, file+":5: disclosure is required for an opt-in: the exact text the person agreed to (or import with --allow-missing-disclosure)")
	assert.Contains(t, errOut, "2 rows were not imported")

	code, out, errOut = runCLI(t, env, "", "import", "--business", "acme", "--allow-missing-disclosure", "-f", file)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "imported 1, skipped 2 (imported before), failed 1 of 4 rows", "with the flag the bare opt-in imports")
}

func TestImportRefusesWhatItCannotRead(t *testing.T) {
	env := withAcme(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no business", []string{"import", "-f", "x.csv"}, 2, "--business ID and -f FILE are required"},
		{"an unknown business", []string{"import", "--business", "globex", "-f", writeFile(t, "a.csv", importCSV)}, 1, `no business "globex"`},
		{"a missing file", []string{"import", "--business", "acme", "-f", filepath.Join(t.TempDir(), "nope.csv")}, 1, "no such file"},
		{"a CSV header without the columns", []string{"import", "--business", "acme", "-f", writeFile(t, "b.csv", "phone,status\n")}, 1, "lacks the columns"},
		{"a file that is not NDJSON at all", []string{"import", "--business", "acme", "--format", "ndjson", "-f", writeFile(t, "c.txt", "hello\n")}, 1, "not NDJSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, env, "", tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errOut, tt.want)
		})
	}
}
