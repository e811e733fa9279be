package consent

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// withheldCallerIDs are the placeholders carriers and Twilio send instead of a number when the
// caller hides it. Some look like E.164 and even pass a "possible number" check, so they are
// listed explicitly and never attached to consent.
var withheldCallerIDs = map[string]bool{
	"+266696687":       true, // ANONYMOUS
	"+7378742833":      true, // RESTRICTED
	"+2562533":         true, // BLOCKED
	"+8656696":         true, // UNKNOWN
	"+86282452253":     true, // UNAVAILABLE
	"anonymous":        true,
	"restricted":       true,
	"blocked":          true,
	"unknown":          true,
	"unavailable":      true,
	"private":          true,
	"client:anonymous": true,
}

var (
	shortCodeRe = regexp.MustCompile(`^[0-9]{5,6}$`) // US and Canadian short codes
	scopedIDRe  = regexp.MustCompile(`^[A-Za-z]{2}\.[A-Za-z0-9]+$`)
)

// IsWithheld reports whether raw is a withheld-caller placeholder rather than a number.
func IsWithheld(raw string) bool {
	s := strings.ToLower(strings.TrimSpace(raw))
	return s == "" || withheldCallerIDs[s] || withheldCallerIDs[strings.TrimPrefix(s, "whatsapp:")]
}

// NormalizePhone turns a phone address as received from a provider or a person into E.164.
// It strips a whatsapp: prefix, refuses withheld-caller placeholders (ErrWithheldNumber),
// WhatsApp business-scoped user ids that carry no number (ErrNoPhoneNumber), and anything
// that is not a valid number (ErrInvalidPhone). National numbers use region (e.g. "US").
func NormalizePhone(raw, region string) (string, error) {
	s := strings.TrimSpace(raw)
	if IsWithheld(s) {
		return "", ErrWithheldNumber
	}
	if len(s) > 9 && strings.EqualFold(s[:9], "whatsapp:") {
		s = strings.TrimSpace(s[9:])
	}
	if scopedIDRe.MatchString(s) {
		return "", fmt.Errorf("%q: %w", raw, ErrNoPhoneNumber)
	}
	if strings.HasPrefix(strings.ToLower(s), "client:") || strings.HasPrefix(strings.ToLower(s), "sip:") {
		return "", fmt.Errorf("%q is not a phone number: %w", raw, ErrInvalidPhone)
	}
	if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
		// A vanity number (+1 800 FLOWERS) would become digits nobody typed: consent is for
		// the number the person gave, so letters are refused, never converted.
		return "", fmt.Errorf("%q has letters; a phone number is written in digits: %w", raw, ErrInvalidPhone)
	}
	if region == "" {
		region = "US"
	}
	num, err := phonenumbers.Parse(s, strings.ToUpper(region))
	if err != nil {
		return "", fmt.Errorf("%q: %w", raw, ErrInvalidPhone)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Errorf("%q is not a valid number: %w", raw, ErrInvalidPhone)
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if withheldCallerIDs[e164] {
		return "", ErrWithheldNumber
	}
	return e164, nil
}

// NormalizeBusinessNumber accepts a business's own number: E.164 or a short code.
// A whatsapp: prefix is stripped so the voice, SMS and WhatsApp webhooks find the same business.
func NormalizeBusinessNumber(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if len(s) > 9 && strings.EqualFold(s[:9], "whatsapp:") {
		s = strings.TrimSpace(s[9:])
	}
	if shortCodeRe.MatchString(s) {
		return s, nil
	}
	if !strings.HasPrefix(s, "+") {
		return "", fmt.Errorf("%q is neither E.164 (+15005550006) nor a short code of 5 or 6 digits: %w", raw, ErrInvalidPhone)
	}
	return NormalizePhone(s, "")
}

// MaskPhone hides all but the last four digits, for logs and spoken prompts.
func MaskPhone(phone string) string {
	digits := make([]rune, 0, len(phone))
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	if len(digits) <= 4 {
		return "***"
	}
	return "***" + string(digits[len(digits)-4:])
}

// RegionOf returns the ISO region of an E.164 number, or "" when unknown.
func RegionOf(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(num)
}
