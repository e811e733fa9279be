package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres/pgtest"
)

func TestKeyCommandsAboutAnUnknownBusinessFail(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.NewURL(t)}
	require.Equal(t, 0, first(runCLI(t, env, "", "business", "apply", "-f", demoFile)))
	tests := []struct {
		name string
		args []string
	}{
		{"listing the keys of an unknown business", []string{"key", "list", "--business", "nosuch"}},
		{"creating a key for an unknown business", []string{"key", "create", "--business", "nosuch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, env, "", tt.args...)
			assert.Equal(t, 1, code, "stdout: %s", out)
			assert.Contains(t, errOut, `no business "nosuch"`)
			assert.Contains(t, errOut, "optin business list", "the message says how to find the right id")
		})
	}
}

func TestKeyListOfABusinessWithoutKeysSaysSo(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.NewURL(t)}
	require.Equal(t, 0, first(runCLI(t, env, "", "business", "apply", "-f", demoFile)))
	code, out, errOut := runCLI(t, env, "", "key", "list", "--business", "acme")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "business acme has no keys yet")
}

func TestRevokingAKeyTwiceSaysItWasAlreadyRevoked(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.NewURL(t)}
	require.Equal(t, 0, first(runCLI(t, env, "", "business", "apply", "-f", demoFile)))
	code, out, errOut := runCLI(t, env, "", "key", "create", "--business", "acme", "--name", "crm")
	require.Equal(t, 0, code, errOut)
	require.True(t, strings.HasPrefix(out, "created key "), out)
	id := strings.Fields(strings.TrimPrefix(out, "created key "))[0]

	code, out, errOut = runCLI(t, env, "", "key", "revoke", id)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "revoked key "+id+" (crm, business acme)\n", out)

	code, out, errOut = runCLI(t, env, "", "key", "revoke", id)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "key "+id+" (crm, business acme) was already revoked at ")
	assert.Contains(t, out, "nothing changed")
	assert.NotContains(t, out, "revoked key", "a second revocation does not claim to revoke")
}
