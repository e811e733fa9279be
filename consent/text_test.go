package consent

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStoredText(t *testing.T) {
	tests := []struct {
		name, in, want string
		storable       bool
	}{
		{"plain text is kept as it is", "STOP please", "STOP please", true},
		{"emoji and accents are kept", "ARRÊTE 🛑", "ARRÊTE 🛑", true},
		{"a NUL byte becomes the replacement character", "STOP\x00", "STOP\uFFFD", false},
		{"an invalid byte becomes the replacement character", "STOP\xff", "STOP\uFFFD", false},
		{"a truncated sequence becomes one replacement character", "STOP \xe2\x82", "STOP \uFFFD", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.storable, StorableText(tt.in))
			got := StoredText(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, StorableText(got))
		})
	}
}
