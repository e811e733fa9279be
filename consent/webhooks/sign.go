package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	secretPrefix = "whsec_" // marks a Standard Webhooks signing secret
	secretBytes  = 24       // random bytes of a new secret
)

// NewSecret returns a new signing secret: whsec_ and the base64 of 24 random bytes.
func NewSecret() string {
	raw := make([]byte, secretBytes)
	rand.Read(raw)
	return secretPrefix + base64.StdEncoding.EncodeToString(raw)
}

// secretKey is the HMAC key of a secret: the bytes its base64 after whsec_ stands for.
func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("a webhook secret is whsec_ and base64, got one that is not")
	}
	return key, nil
}

// Sign returns the webhook-signature header of a message: v1, and the base64 HMAC-SHA256
// of "id.timestamp.body" keyed with the secret.
func Sign(secret, msgID string, at time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + strconv.FormatInt(at.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}
