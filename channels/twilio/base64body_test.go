package twilio

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecodeBody(t *testing.T) {
	long := "Please stop texting me. I never asked for any of these messages, thanks."
	tests := []struct {
		name    string
		body    string
		want    string
		decoded bool
	}{
		{"a long concatenated message sent as base64 is decoded", base64.StdEncoding.EncodeToString([]byte(long)), long, true},
		{"a base64 STOP is decoded", base64.StdEncoding.EncodeToString([]byte("STOP")), "STOP", true},
		{"accented text in base64 is decoded", base64.StdEncoding.EncodeToString([]byte("ARRÊT s'il vous plaît")), "ARRÊT s'il vous plaît", true},
		{"the keyword STOP is taken as typed", "STOP", "", false},
		{"the keyword INFO is taken as typed", "INFO", "", false},
		{"an upper-case keyword of eight letters is taken as typed", "STOPALLX", "", false},
		{"a lower-case word of eight letters is taken as typed", "anything", "", false},
		{"ordinary text with spaces is taken as typed", "YES ORDERS", "", false},
		{"base64 of binary data is taken as typed", base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, 0x00, 0x01, 0x02, 0x03}), "", false},
		{"base64 of punctuation is taken as typed", base64.StdEncoding.EncodeToString([]byte("!!!!????....")), "", false},
		{"unpadded base64 is taken as typed", "U1RPUA", "", false},
		{"an empty body is taken as typed", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := decodeBody(tt.body)
			assert.Equal(t, tt.decoded, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
