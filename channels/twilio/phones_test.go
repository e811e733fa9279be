package twilio

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/optin/optin/consent"
)

func TestRememberedPhonesNormaliseAsTheFirstTime(t *testing.T) {
	m := newPhoneMemo()
	for _, raw := range []string{"+14155552671", "whatsapp:+14155552671", "(415) 555-2671", "anonymous", "+1415", "WA.abc123"} {
		want, wantErr := consent.NormalizePhone(raw, "US")
		for range 2 {
			got, err := m.normalize(raw, "US")
			assert.Equal(t, want, got, raw)
			assert.Equal(t, wantErr, err, raw)
		}
	}
}

func TestPhoneMemoStaysBounded(t *testing.T) {
	m := newPhoneMemo()
	for i := range phoneMemoSize + 10 {
		m.normalize(fmt.Sprintf("+1415555%04d", i%10000), "US")
	}
	assert.LessOrEqual(t, len(m.by), phoneMemoSize)
}
