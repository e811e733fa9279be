package consent_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		region  string
		want    string
		wantErr error
	}{
		{"E.164 number is kept as is", "+14155552671", "US", "+14155552671", nil},
		{"surrounding spaces are trimmed", "  +14155552671 ", "US", "+14155552671", nil},
		{"US national number uses the business region", "(415) 555-2671", "US", "+14155552671", nil},
		{"UK national number uses a GB region", "020 7183 8750", "GB", "+442071838750", nil},
		{"empty region defaults to US", "415-555-2671", "", "+14155552671", nil},
		{"WhatsApp address is stripped to its number", "whatsapp:+14155552671", "US", "+14155552671", nil},
		{"WhatsApp prefix in capitals is stripped too", "WhatsApp:+442071838750", "US", "+442071838750", nil},
		{"Twilio test number is valid", "+15005550006", "US", "+15005550006", nil},
		{"ANONYMOUS placeholder is withheld", "+266696687", "US", "", consent.ErrWithheldNumber},
		{"RESTRICTED placeholder is withheld", "+7378742833", "US", "", consent.ErrWithheldNumber},
		{"BLOCKED placeholder is withheld", "+2562533", "US", "", consent.ErrWithheldNumber},
		{"UNKNOWN placeholder is withheld", "+8656696", "US", "", consent.ErrWithheldNumber},
		{"UNAVAILABLE placeholder is withheld", "+86282452253", "US", "", consent.ErrWithheldNumber},
		{"literal anonymous is withheld", "anonymous", "US", "", consent.ErrWithheldNumber},
		{"literal Restricted is withheld", "Restricted", "US", "", consent.ErrWithheldNumber},
		{"Twilio client anonymous is withheld", "client:Anonymous", "US", "", consent.ErrWithheldNumber},
		{"empty caller is withheld", "", "US", "", consent.ErrWithheldNumber},
		{"WhatsApp business-scoped user id carries no number", "whatsapp:US.1234", "US", "", consent.ErrNoPhoneNumber},
		{"Twilio client identity is not a phone", "client:alice", "US", "", consent.ErrInvalidPhone},
		{"SIP address is not a phone", "sip:alice@example.com", "US", "", consent.ErrInvalidPhone},
		{"letters are not a phone", "garbage", "US", "", consent.ErrInvalidPhone},
		{"too few digits are not a phone", "+1415", "US", "", consent.ErrInvalidPhone},
		{"unassigned US area code is invalid", "+11115552671", "US", "", consent.ErrInvalidPhone},
		{"too many digits are not a phone", "+1415555267112345", "US", "", consent.ErrInvalidPhone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := consent.NormalizePhone(tt.raw, tt.region)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNormalizeBusinessNumber(t *testing.T) {
	tests := []struct {
		name, raw, want string
		ok              bool
	}{
		{"E.164 long code", "+15005550006", "+15005550006", true},
		{"short code of six digits", "384387", "384387", true},
		{"WhatsApp sender address", "whatsapp:+14155550100", "+14155550100", true},
		{"national number without plus is refused", "4155550100", "", false},
		{"words are refused", "acme", "", false},
		{"short code with letters is refused", "38A387", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := consent.NormalizeBusinessNumber(tt.raw)
			if !tt.ok {
				require.ErrorIs(t, err, consent.ErrInvalidPhone)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMaskPhoneKeepsOnlyLastFourDigits(t *testing.T) {
	assert.Equal(t, "***2671", consent.MaskPhone("+14155552671"))
	assert.Equal(t, "***", consent.MaskPhone("+123"))
	assert.NotContains(t, consent.MaskPhone("+14155552671"), "415")
}
