package twilio

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestAStopIsRecordedWhateverBytesItHolds(t *testing.T) {
	tests := []struct {
		name      string
		field     string // the form field carrying the bytes
		value     string
		wantInput string // the stored input
		rawField  string // where the raw bytes are kept, base64; "" when nothing was altered
	}{
		{"a body with a NUL byte", "Body", "STOP\x00", "STOP\uFFFD", "Input"},
		{"a body with invalid UTF-8", "Body", "STOP \xff\xfe", "STOP \uFFFD", "Input"},
		{"a body of 10,000 characters", "Body", "STOP " + strings.Repeat("x", 9995), "STOP " + strings.Repeat("x", 9995), ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			sid := "SMbytes" + strings.Repeat("0", 26) + string(rune('a'+i))
			res := e.post("/twilio/sms", with(fixture(t, "sms-keyword"), "MessageSid", sid, "SmsSid", sid, "SmsMessageSid", sid, tt.field, tt.value))
			require.Equal(t, http.StatusOK, res.Code, res.Body.String())
			assert.Contains(t, replyOf(t, e.twiml(res)), "unsubscribed")
			events := e.events("+14155552671")
			require.Len(t, events, 3, "one opt-out per category")
			for _, ev := range events {
				assert.Equal(t, consent.ActionOptOut, ev.Action)
				assert.Equal(t, tt.wantInput, ev.Input)
				raw, _ := ev.Evidence[rawBase64Key].(map[string]any)
				if tt.rawField == "" {
					assert.Nil(t, raw, "nothing was altered, so no raw copy")
					continue
				}
				require.NotNil(t, raw, "the raw bytes are kept")
				got, err := base64.StdEncoding.DecodeString(raw[tt.rawField].(string))
				require.NoError(t, err)
				assert.Equal(t, tt.value, string(got))
			}
		})
	}
}

func TestAProviderIDWithBytesNoIDHasIsRefused(t *testing.T) {
	for _, route := range []struct{ path, fixture string }{
		{"/twilio/sms", "sms-keyword"}, {"/twilio/status", "status-21610"},
	} {
		for name, sid := range map[string]string{"a NUL byte": "SM\x00abc", "invalid UTF-8": "SM\xffabc", "a space": "SM abc"} {
			t.Run(route.path+" with "+name, func(t *testing.T) {
				e := newEnv(t)
				res := e.post(route.path, with(fixture(t, route.fixture), "MessageSid", sid, "SmsSid", sid, "SmsMessageSid", sid))
				assert.Equal(t, http.StatusBadRequest, res.Code)
				assert.Zero(t, e.countEvents(), "nothing recorded")
			})
		}
	}
}
