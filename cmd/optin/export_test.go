package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExportWritesTheFileInTheShapesOfTheAPIExport(t *testing.T) {
	env := withAcme(t)
	code, _, errOut := runCLI(t, env, "", "import", "--business", "acme", "-f", writeFile(t, "in.csv", importCSV))
	require.Equal(t, 0, code, errOut)
	dir := t.TempDir()

	csvPath := filepath.Join(dir, "consents.csv")
	code, out, errOut := runCLI(t, env, "", "export", "--business", "acme", "-o", csvPath, "--format", "csv")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "exported 2 consents of acme to "+csvPath)
	got, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	assert.Equal(t, "phone,category,status,channel,updated_at,event_id\n"+
		"'+14155550123,restock,opted_out,sms,2023-06-02T10:00:00Z,2\n"+
		"'+14155552671,offers,opted_in,paper,2023-06-01T10:00:00Z,1\n", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing is left beside the file")

	ndjsonPath := filepath.Join(dir, "opted-in.ndjson")
	code, out, errOut = runCLI(t, env, "", "export", "--business", "acme", "-o", ndjsonPath, "--status", "opted_in", "--category", "offers")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "exported 1 consents")
	got, err = os.ReadFile(ndjsonPath)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(got), "\n"))
	assert.Contains(t, string(got), `"phone":"+14155552671","category":"offers","status":"opted_in"`)
}

func TestExportToStandardOutputKeepsItsSummaryOnStandardError(t *testing.T) {
	env := withAcme(t)
	code, out, errOut := runCLI(t, env, "", "export", "--business", "acme", "-o", "-", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "phone,category,status,channel,updated_at,event_id\n", out, "an empty export is its header")
	assert.Contains(t, errOut, "exported 0 consents of acme to -")
}

func TestExportRefusesBadFilters(t *testing.T) {
	env := withAcme(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown category", []string{"--category", "newsletter"}, `--category "newsletter" is not one of acme's`},
		{"an unknown status", []string{"--status", "maybe"}, "--status must be opted_in or opted_out"},
		{"an unknown format", []string{"--format", "xlsx"}, "--format must be ndjson or csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, env, "", append([]string{"export", "--business", "acme", "-o", "-"}, tt.args...)...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errOut, tt.want)
		})
	}
}
