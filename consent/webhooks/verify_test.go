package webhooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/webhooks"
)

// verify checks a webhook as a receiver following the Standard Webhooks specification would,
// written from the specification rather than from this package: the secret is whsec_ and
// base64; the signed content is "webhook-id.webhook-timestamp.body"; webhook-signature holds
// space-separated "v1,<base64 HMAC-SHA256>" entries of which one must match; the timestamp
// must be within five minutes of now.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("a webhook-id, webhook-timestamp or webhook-signature header is missing")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook-timestamp %q is not unix seconds", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("webhook-timestamp %s is %v away from now", ts, d)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, entry := range strings.Fields(sigs) {
		version, sig, _ := strings.Cut(entry, ",")
		got, err := base64.StdEncoding.DecodeString(sig)
		if version == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no v1 signature matches")
}

// The example of the Standard Webhooks reference libraries.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignaturesMatchTheStandardWebhooksReference(t *testing.T) {
	got, err := webhooks.Sign(vectorSecret, vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody))
	require.NoError(t, err)
	assert.Equal(t, vectorSignature, got)
}

func TestTheTestVerifierFollowsTheSpecification(t *testing.T) {
	at := time.Unix(vectorTimestamp, 0)
	header := func(id, ts, sig string) http.Header {
		return http.Header{"Webhook-Id": {id}, "Webhook-Timestamp": {ts}, "Webhook-Signature": {sig}}
	}
	ts := strconv.Itoa(vectorTimestamp)
	tests := []struct {
		name  string
		h     http.Header
		body  string
		now   time.Time
		valid bool
	}{
		{"the reference example verifies", header(vectorID, ts, vectorSignature), vectorBody, at, true},
		{"one matching signature among others verifies", header(vectorID, ts, "v2,abc v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "+vectorSignature), vectorBody, at, true},
		{"another body does not", header(vectorID, ts, vectorSignature), `{"test": 1}`, at, false},
		{"another id does not", header("msg_other", ts, vectorSignature), vectorBody, at, false},
		{"another timestamp does not", header(vectorID, strconv.Itoa(vectorTimestamp+1), vectorSignature), vectorBody, at, false},
		{"an old timestamp does not", header(vectorID, ts, vectorSignature), vectorBody, at.Add(6 * time.Minute), false},
		{"a missing signature does not", header(vectorID, ts, ""), vectorBody, at, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verify(vectorSecret, tt.h, []byte(tt.body), tt.now)
			if tt.valid {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestNewSecretsAreStandardWebhooksSecretsOfAtLeast24Bytes(t *testing.T) {
	a, b := webhooks.NewSecret(), webhooks.NewSecret()
	assert.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, "whsec_"), a)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(raw), 24)
}
