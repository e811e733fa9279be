package flows

import (
	"strings"
	"unicode/utf16"
)

// MaxReplySegments is the most SMS segments any reply of the service may take: two segments
// hold 306 GSM-7 characters, or 134 UCS-2 code units once one character falls outside GSM-7.
const MaxReplySegments = 2

// gsmBasic and gsmExtension are the GSM 03.38 default alphabet and its extension table; an
// extension character costs two septets (an escape and the character).
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "^{}\\[~]|€\f"
)

// Segments reports how many SMS segments text takes and whether it must be sent as UCS-2
// (true as soon as one character is outside GSM-7). One segment holds 160 GSM-7 septets or 70
// UCS-2 units; a longer message is split into parts of 153 septets or 67 units, and a character
// is never split across two parts. The empty text takes no segment.
func Segments(text string) (segments int, ucs2 bool) {
	if text == "" {
		return 0, false
	}
	single, part := 160, 153
	cost := gsmCost
	if !IsGSM7(text) {
		ucs2, single, part, cost = true, 70, 67, ucs2Cost
	}
	total := 0
	for _, r := range text {
		total += cost(r)
	}
	if total <= single {
		return 1, ucs2
	}
	segments, used := 1, 0
	for _, r := range text {
		c := cost(r)
		if used+c > part {
			segments, used = segments+1, 0
		}
		used += c
	}
	return segments, ucs2
}

// FitsReply reports whether text fits the reply budget of MaxReplySegments segments.
func FitsReply(text string) bool {
	n, _ := Segments(text)
	return n <= MaxReplySegments
}

// IsGSM7 reports whether every character of text is in the GSM-7 alphabet or its extension.
func IsGSM7(text string) bool {
	for _, r := range text {
		if !strings.ContainsRune(gsmBasic, r) && !strings.ContainsRune(gsmExtension, r) {
			return false
		}
	}
	return true
}

func gsmCost(r rune) int {
	if strings.ContainsRune(gsmExtension, r) {
		return 2
	}
	return 1
}

func ucs2Cost(r rune) int {
	if utf16.RuneLen(r) == 2 {
		return 2
	}
	return 1
}
