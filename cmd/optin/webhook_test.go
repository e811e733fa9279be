package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/consent/webhooks"
)

// webhookCLIEnv is a database holding the demo business and a webhook secret key.
func webhookCLIEnv(t *testing.T) (env map[string]string, key []byte) {
	t.Helper()
	key = make([]byte, webhooks.KeySize)
	rand.Read(key)
	env = map[string]string{"DATABASE_URL": pgtest.NewURL(t), "WEBHOOK_SECRET_KEY": base64.StdEncoding.EncodeToString(key)}
	require.Equal(t, 0, first(runCLI(t, env, "", "business", "apply", "-f", demoFile)))
	return env, key
}

func TestWebhookAddPrintsTheSecretOnceAndListAndRemoveFollow(t *testing.T) {
	env, key := webhookCLIEnv(t)
	env["WEBHOOK_ALLOW_PRIVATE"] = "true"
	code, out, errOut := runCLI(t, env, "", "webhook", "add", "--business", "acme", "--url", "http://127.0.0.1:9000/hook", "--events", "signal.recorded")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	assert.Regexp(t, `^whsec_[A-Za-z0-9+/]{32}$`, secret, "the secret is alone on the last line")
	assert.Contains(t, out, "created webhook 1 for business acme: http://127.0.0.1:9000/hook (signal.recorded)")

	store, err := postgres.Open(context.Background(), env["DATABASE_URL"])
	require.NoError(t, err)
	defer store.Close()
	ws, err := store.WebhookEndpoints(context.Background(), "acme")
	require.NoError(t, err)
	require.Len(t, ws, 1)
	assert.NotContains(t, string(ws[0].SealedSecret), strings.TrimPrefix(secret, "whsec_"), "the database holds the secret sealed")
	sealer, err := webhooks.NewSealer(key)
	require.NoError(t, err)
	opened, err := sealer.Open("acme", ws[0].SealedSecret)
	require.NoError(t, err)
	assert.Equal(t, secret, opened, "the servers, under the same key, sign with the secret printed")

	code, out, errOut = runCLI(t, env, "", "webhook", "list", "--business", "acme")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^1\thttp://127.0.0.1:9000/hook\tsignal.recorded\tcreated \S+\tactive\n$`, out)
	assert.NotContains(t, out, "whsec_")

	code, out, errOut = runCLI(t, env, "", "webhook", "remove", "--business", "acme", "1")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "removed webhook 1 of business acme\n", out)
	code, _, errOut = runCLI(t, env, "", "webhook", "remove", "--business", "acme", "1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "business acme has no webhook 1")
	code, out, _ = runCLI(t, env, "", "webhook", "list", "--business", "acme")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "business acme has no webhooks yet")
}

func TestWebhookAddRefusals(t *testing.T) {
	env, _ := webhookCLIEnv(t)
	noKey := map[string]string{"DATABASE_URL": env["DATABASE_URL"]}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		says string
	}{
		{"a loopback receiver", env, []string{"--business", "acme", "--url", "http://127.0.0.1:9000/hook"}, 1, "127.0.0.1, a loopback address"},
		{"a private receiver", env, []string{"--business", "acme", "--url", "https://192.168.1.20/hook"}, 1, "a private address"},
		{"an unknown event", env, []string{"--business", "acme", "--url", "https://93.184.215.14/", "--events", "consent.changed,everything"}, 1, `unknown event "everything"`},
		{"an unknown business", env, []string{"--business", "nosuch", "--url", "https://93.184.215.14/"}, 1, `no business "nosuch"`},
		{"no key to seal the secret with", noKey, []string{"--business", "acme", "--url", "https://93.184.215.14/"}, 1, "WEBHOOK_SECRET_KEY is not set"},
		{"no URL", env, []string{"--business", "acme"}, 2, "--url URL are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.env, "", append([]string{"webhook", "add"}, tt.args...)...)
			assert.Equal(t, tt.code, code, "stdout: %s", out)
			assert.Contains(t, errOut, tt.says)
		})
	}
	code, out, _ := runCLI(t, env, "", "webhook", "list", "--business", "acme")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "no webhooks yet", "nothing refused was stored")
}

func TestABadWebhookSecretKeyIsRefusedAtStart(t *testing.T) {
	_, err := loadConfig(envOf(map[string]string{"WEBHOOK_SECRET_KEY": "c2hvcnQ="}))
	assert.ErrorContains(t, err, "WEBHOOK_SECRET_KEY: the key must be 32 bytes")
	cfg, err := loadConfig(envOf(map[string]string{"WEBHOOK_ALLOW_PRIVATE": "true"}))
	require.NoError(t, err)
	assert.True(t, cfg.WebhookAllowPrivate)
	assert.Nil(t, cfg.WebhookSecretKey)
}
