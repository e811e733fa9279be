package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
)

const demoFile = "../../fixtures/demo/acme.yaml"

func TestBusinessApplyIsIdempotent(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.NewURL(t)}
	code, out, errOut := runCLI(t, env, "", "business", "apply", "-f", demoFile)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "business acme applied (3 categories, 3 numbers)")

	code, out, errOut = runCLI(t, env, "", "business", "apply", "-f", demoFile)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "business acme unchanged", "the second apply of the same file changes nothing")

	code, out, _ = runCLI(t, env, "", "business", "list")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "acme\tAcme Outdoor\tnumbers: +14155550100,+15005550006,384387\tcategories: order_updates,offers,restock\trevocation: category\t"+
		"templates: order_updates=utility,offers=marketing,restock=marketing\tus_marketing_pause: true")
}

func TestBusinessApplyFromStandardInput(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.NewURL(t)}
	demo, err := os.ReadFile(demoFile)
	require.NoError(t, err)
	code, out, errOut := runCLI(t, env, string(demo), "business", "apply", "-f", "-")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "business acme applied")
}

func TestBusinessApplyRefusals(t *testing.T) {
	url := pgtest.NewURL(t)
	env := map[string]string{"DATABASE_URL": url}
	require.Equal(t, 0, first(runCLI(t, env, "", "business", "apply", "-f", demoFile)))
	demo, err := os.ReadFile(demoFile)
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	tests := []struct {
		name, file, want string
	}{
		{"a missing file", filepath.Join(dir, "nope.yaml"), "read business file"},
		{"a message override that fails the lint names its line", write("help.yaml", string(demo)+"messages:\n  en-US:\n    sms.help: \"Text OFFERS.\"\n"),
			"line 14: en-US sms sms.help: missing"},
		{"a field error names the field and line", write("dup.yaml", strings.Replace(string(demo), "digit: 2", "digit: 1", 1)), "line 10: categories[1].digit"},
		{"a number owned by another business", write("other.yaml", strings.Replace(strings.Replace(string(demo), "id: acme", "id: rival", 1), "name: Acme Outdoor", "name: Rival", 1)), "nothing was written"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, env, "", "business", "apply", "-f", tt.file)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, tt.want)
		})
	}
	store, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	defer store.Close()
	bs, err := store.Businesses(context.Background())
	require.NoError(t, err)
	require.Len(t, bs, 1, "refused files wrote no business")
	b, err := store.Business(context.Background(), "acme")
	require.NoError(t, err)
	assert.Len(t, b.Categories, 3, "the refused file left acme's categories alone")
}

func TestKeyCreateListRevoke(t *testing.T) {
	url := pgtest.NewURL(t)
	env := map[string]string{"DATABASE_URL": url}
	require.Equal(t, 0, first(runCLI(t, env, "", "business", "apply", "-f", demoFile)))

	code, _, errOut := runCLI(t, env, "", "key", "create", "--business", "nobody")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `no business "nobody"`)

	code, out, errOut := runCLI(t, env, "", "key", "create", "--business", "acme", "--name", "sender")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	plain := lines[len(lines)-1]
	assert.NotContains(t, plain, " ", "the key stands alone on the last line")

	store, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	defer store.Close()
	key, err := store.VerifyAPIKey(context.Background(), plain)
	require.NoError(t, err, "the printed key is a working key")
	assert.Equal(t, "acme", key.BusinessID)
	assert.Equal(t, "sender", key.Name)

	code, out, _ = runCLI(t, env, "", "key", "list", "--business", "acme")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "sender")
	assert.NotContains(t, out, plain, "listing never shows the secret")

	code, out, errOut = runCLI(t, env, "", "key", "revoke", itoa(key.ID))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "revoked key")
	_, err = store.VerifyAPIKey(context.Background(), plain)
	assert.Error(t, err, "a revoked key no longer verifies")

	code, _, errOut = runCLI(t, env, "", "key", "revoke", "999999")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no key 999999")
}

func first(code int, _ ...string) int { return code }

func TestADatabaseURLThatCannotBeReadIsExplainedNotRetried(t *testing.T) {
	for _, cmd := range [][]string{{"migrate"}, {"business", "list"}} {
		code, _, errOut := runCLI(t, map[string]string{"DATABASE_URL": "not a url"}, "", cmd...)
		assert.Equal(t, 1, code, "%v", cmd)
		assert.Contains(t, errOut, "DATABASE_URL: the database URL cannot be read: it must be a URL such as postgres://")
		assert.NotContains(t, errOut, "does not answer", "a URL that cannot be read is not an unreachable database")
	}
}
