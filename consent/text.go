package consent

import (
	"strings"
	"unicode/utf8"
)

// StorableText reports whether s can be stored as PostgreSQL text and jsonb: valid UTF-8
// without NUL characters. Messages arrive with whatever bytes a phone or a carrier sent.
func StorableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// StoredText returns s made storable: each NUL and each run of invalid bytes becomes U+FFFD,
// the replacement character. Whoever stores it keeps the raw bytes beside it when they differ.
func StoredText(s string) string {
	if StorableText(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
}
