package twilio

import (
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf8"
)

// decodeBody undoes the base64 encoding Twilio occasionally applies to long concatenated
// SMS bodies. The rule: the body is decoded only when it is strictly valid, padded,
// standard base64 of at least 8 characters that does not read as a plain word (it holds a
// digit, '+', '/', '=' or both letter cases), and it decodes to valid UTF-8 text made of
// printable characters and spaces, at least half of them letters or spaces. Anything else
// is taken as typed: a keyword such as STOP or INFO is never mistaken for base64.
func decodeBody(body string) (string, bool) {
	if len(body) < 8 || len(body)%4 != 0 || !looksEncoded(body) {
		return "", false
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(body)
	if err != nil || len(raw) == 0 || !utf8.Valid(raw) {
		return "", false
	}
	text := string(raw)
	if !readsAsText(text) {
		return "", false
	}
	return text, true
}

// looksEncoded reports whether s carries a mark of base64 rather than of a typed word.
func looksEncoded(s string) bool {
	if strings.ContainsAny(s, "+/=0123456789") {
		return true
	}
	return strings.ToUpper(s) != s && strings.ToLower(s) != s
}

// readsAsText reports whether s is printable text, mostly letters and spaces.
func readsAsText(s string) bool {
	var runes, letters int
	for _, r := range s {
		runes++
		switch {
		case unicode.IsLetter(r) || unicode.IsSpace(r):
			letters++
		case unicode.IsPrint(r):
		default:
			return false
		}
	}
	return letters*2 >= runes
}
