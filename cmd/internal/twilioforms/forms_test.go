package twilioforms

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorded reads a recorded Twilio payload of fixtures/twilio.
func recorded(t *testing.T, name string) url.Values {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "twilio", name+".form"))
	require.NoError(t, err)
	v, err := url.ParseQuery(strings.TrimSpace(string(raw)))
	require.NoError(t, err)
	return v
}

func TestTheFormsAreTheRecordedPayloadsFieldForField(t *testing.T) {
	tests := []struct {
		name  string
		built url.Values
	}{
		{"sms-keyword", SMS("AC3f5a9c2e7b1d4f6a8c0e2b4d6f8a1c3e", "SM9d1f3a5c7e9b2d4f6a8c0e2b4d6f8a1c", "+14155552671", "+15005550006", "ORDERS")},
		{"whatsapp-text", WhatsApp("AC3f5a9c2e7b1d4f6a8c0e2b4d6f8a1c3e", "SM0b2d4f6a8c1e3b5d7f9a2c4e6b8d0f2a", "+14155552671", "+15005550006", "ORDERS")},
		{"status-21610", Status("AC3f5a9c2e7b1d4f6a8c0e2b4d6f8a1c3e", "SM9d1f3a5c7e9b2d4f6a8c0e2b4d6f8a1c", "+15005550006", "+14155552671", "21610")},
		{"voice-incoming", Voice("AC3f5a9c2e7b1d4f6a8c0e2b4d6f8a1c3e", "CA5d8f2a7c9e1b3d5f7a9c2e4b6d8f0a1c", "+14155552671", "+15005550006", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := recorded(t, tt.name)
			for k := range want {
				assert.Contains(t, tt.built, k, "the built form has the recorded field %s", k)
			}
			for k := range tt.built {
				assert.Contains(t, want, k, "the built form adds no field Twilio does not send: %s", k)
			}
			for _, k := range []string{"From", "To", "AccountSid"} {
				assert.Equal(t, want.Get(k), tt.built.Get(k), k)
			}
		})
	}
}
