package imports

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/optin/optin/consent"
)

// Reading a phone is most of the work of checking a row: consent.NormalizePhone first runs
// the extension patterns of phonenumbers.Parse over the text (about 10 µs a number), then
// checks the number against its country's patterns (about 6 µs). Import files mostly hold
// canonical E.164 already, for which the parse can be skipped: the number is built from its
// digits and only checked. Anything that is not plainly canonical, and numbers whose digits
// Parse could read differently (a national prefix right after the country code), take the
// full path. phone_test.go checks that both paths agree.

// canonicalE164Re is a phone already written in E.164: a plus and its digits, nothing else.
var canonicalE164Re = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// phoneReader normalises the phones of one import, remembering the last one: files list a
// person's categories on adjacent rows.
type phoneReader struct {
	region          string
	lastRaw, last   string
	lastErr         error
	prefixOfCountry map[int32]string // country code → national prefix that forces the full path; "" when none
}

func newPhoneReader(region string) *phoneReader {
	return &phoneReader{region: region, prefixOfCountry: map[int32]string{}}
}

// normalize is consent.NormalizePhone(raw, region), faster for canonical E.164.
func (p *phoneReader) normalize(raw string) (string, error) {
	if raw == p.lastRaw && p.lastRaw != "" {
		return p.last, p.lastErr
	}
	phone, err := p.read(raw)
	p.lastRaw, p.last, p.lastErr = raw, phone, err
	return phone, err
}

func (p *phoneReader) read(raw string) (string, error) {
	if canonicalE164Re.MatchString(raw) && !consent.IsWithheld(raw) {
		if num, ok := p.fromDigits(raw[1:]); ok && phonenumbers.IsValidNumber(num) {
			return raw, nil
		}
	}
	return consent.NormalizePhone(raw, p.region)
}

// fromDigits builds the number of an E.164 string's digits without parsing, when Parse would
// read them the same way: a known country code (country codes are prefix-free, so the first
// that is known is the one), and a national number that neither starts with 0 nor with the
// country's national prefix, which Parse might strip.
func (p *phoneReader) fromDigits(digits string) (*phonenumbers.PhoneNumber, bool) {
	for n := 1; n <= 3 && n < len(digits); n++ {
		cc, _ := strconv.Atoi(digits[:n])
		region := phonenumbers.GetRegionCodeForCountryCode(cc)
		if region == phonenumbers.UNKNOWN_REGION {
			continue
		}
		national := digits[n:]
		if national[0] == '0' || !p.plainNationalNumber(int32(cc), region, national) {
			return nil, false
		}
		nn, err := strconv.ParseUint(national, 10, 64)
		if err != nil {
			return nil, false
		}
		code := int32(cc)
		return &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &nn}, true
	}
	return nil, false
}

// plainNationalNumber reports whether national cannot start with a national prefix of the
// country, which Parse would consider stripping.
func (p *phoneReader) plainNationalNumber(cc int32, region, national string) bool {
	prefix, seen := p.prefixOfCountry[cc]
	if !seen {
		prefix = "?" // a pattern, or no metadata: always the full path
		if md := metadataOf(region); md != nil {
			forParsing, plain := md.GetNationalPrefixForParsing(), md.GetNationalPrefix()
			if (forParsing == "" || forParsing == plain) && isDigits(plain) && md.GetNationalPrefixTransformRule() == "" {
				prefix = plain
			}
		}
		p.prefixOfCountry[cc] = prefix
	}
	return prefix != "?" && (prefix == "" || !strings.HasPrefix(national, prefix))
}

// metadataOf returns the metadata phonenumbers parses numbers of region with, or nil.
func metadataOf(region string) *phonenumbers.PhoneMetadata {
	all, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	for _, md := range all.GetMetadata() {
		if md.GetId() == region {
			return md
		}
	}
	return nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
