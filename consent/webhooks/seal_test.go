package webhooks_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/webhooks"
)

func newSealer(t *testing.T) *webhooks.Sealer {
	t.Helper()
	key := make([]byte, webhooks.KeySize)
	rand.Read(key)
	s, err := webhooks.NewSealer(key)
	require.NoError(t, err)
	return s
}

func TestASealedSecretOpensOnlyUnderItsKeyForItsBusiness(t *testing.T) {
	s, other := newSealer(t), newSealer(t)
	secret := webhooks.NewSecret()
	sealed := s.Seal("acme", secret)
	assert.False(t, bytes.Contains(sealed, []byte(secret)), "the sealed form does not hold the secret")
	assert.NotEqual(t, sealed, s.Seal("acme", secret), "each sealing takes a fresh nonce")

	opened, err := s.Open("acme", sealed)
	require.NoError(t, err)
	assert.Equal(t, secret, opened)
	_, err = other.Open("acme", sealed)
	assert.Error(t, err, "another key cannot open it")
	_, err = s.Open("globex", sealed)
	assert.Error(t, err, "a secret moved to another business's row does not open")
	sealed[len(sealed)-1] ^= 1
	_, err = s.Open("acme", sealed)
	assert.Error(t, err, "an altered sealed secret does not open")
}

func TestParseKeyTakesBase64Of32Bytes(t *testing.T) {
	raw := make([]byte, 32)
	rand.Read(raw)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
		key, err := webhooks.ParseKey(enc.EncodeToString(raw) + "\n")
		require.NoError(t, err)
		assert.Equal(t, raw, key)
	}
	_, err := webhooks.ParseKey(base64.StdEncoding.EncodeToString(raw[:16]))
	assert.ErrorContains(t, err, "32 bytes")
	_, err = webhooks.ParseKey("not base64!")
	assert.ErrorContains(t, err, "base64")
}
