package webhooks

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of the key that seals webhook secrets: AES-256.
const KeySize = 32

// ParseKey reads a sealing key written as base64 (standard or URL alphabet) of KeySize bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("the key must be %d bytes, this one is %d", KeySize, len(key))
			}
			return key, nil
		}
	}
	return nil, errors.New("the key must be base64, such as the output of: head -c 32 /dev/urandom | base64")
}

// Sealer encrypts signing secrets for storage and decrypts them for signing, with AES-GCM.
// A sealed secret is bound to its business: moved to another business's row it does not open.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a sealer under key, KeySize bytes.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("webhook sealing key: %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("webhook sealing key: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("webhook sealing key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// sealContext is the additional data of a sealed secret: what it is, and whose.
func sealContext(businessID string) []byte { return []byte("optin webhook secret v1\x00" + businessID) }

// Seal encrypts a business's secret.
func (s *Sealer) Seal(businessID, secret string) []byte {
	return s.aead.Seal(nil, nil, []byte(secret), sealContext(businessID))
}

// Open decrypts a business's sealed secret; it fails under another key or for another business.
func (s *Sealer) Open(businessID string, sealed []byte) (string, error) {
	plain, err := s.aead.Open(nil, nil, sealed, sealContext(businessID))
	if err != nil {
		return "", fmt.Errorf("opening the webhook secret of %s: not sealed under this key (was WEBHOOK_SECRET_KEY changed?)", businessID)
	}
	return string(plain), nil
}
