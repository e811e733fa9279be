package consent_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

const validFile = `id: acme
name: Acme Outdoor
help: "Call 1-800-555-0100"
numbers: ["+15005550006"]
categories:
  - {key: order_updates, label: order updates, keyword: ORDERS, digit: 1, frequency: "up to 5 messages per order"}
  - {key: offers, label: offers, keyword: OFFERS, digit: 2, frequency: "up to 4 messages a month"}
`

func TestParseBusinessFileDemo(t *testing.T) {
	f, err := os.Open("../fixtures/demo/acme.yaml")
	require.NoError(t, err)
	defer f.Close()
	b, err := consent.ParseBusinessFile(f)
	require.NoError(t, err)
	assert.Equal(t, "acme", b.ID)
	assert.Equal(t, "Acme Outdoor", b.Name)
	assert.Equal(t, consent.RevocationCategory, b.Revocation)
	assert.Equal(t, "US", b.Region)
	assert.Equal(t, []string{"+15005550006", "+14155550100", "384387"}, b.Numbers)
	require.Len(t, b.Categories, 3)
	offers, ok := b.CategoryByKeyword("OFFERS")
	require.True(t, ok)
	assert.Equal(t, 2, offers.Digit)
	assert.Equal(t, 1, offers.Position)
	byDigit, ok := b.CategoryByDigit(3)
	require.True(t, ok)
	assert.Equal(t, "restock", byDigit.Key)
}

func TestParseBusinessFileDefaults(t *testing.T) {
	b, err := consent.ParseBusinessFile(strings.NewReader(validFile))
	require.NoError(t, err)
	assert.Equal(t, "en-US", b.Language, "language defaults to en-US")
	assert.Equal(t, consent.RevocationCategory, b.Revocation, "revocation defaults to per category")
	assert.Equal(t, "US", b.Region, "region comes from the first number")
}

func TestParseBusinessFileErrors(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(validFile, old, new, 1) }
	tests := []struct {
		name string
		file string
		want []string // substrings every one of which the error must contain
	}{
		{"empty file", "", []string{"file: is empty"}},
		{"not YAML", "id: [acme", []string{"file:"}},
		{"unknown top-level field names the field and line", validFile + "colour: red\n", []string{"line 8", "colour"}},
		{"unknown category field names the field and line", replace("digit: 2,", "digit: 2, emoji: x,"), []string{"line 7", "emoji"}},
		{"missing name", replace("name: Acme Outdoor\n", ""), []string{"name: is required"}},
		{"missing id", replace("id: acme\n", ""), []string{"id: is required"}},
		{"an invalid id is named as invalid, not missing", replace("id: acme", "id: Bad Id!"), []string{"line 1", `id: "Bad Id!" is not a valid id`}},
		{"a missing field names the end of the file", replace("name: Acme Outdoor\n", ""), []string{"line 7", "name: is required"}},
		{"a field with no value is named where it is", replace("help: \"Call 1-800-555-0100\"", "help:"), []string{"line 3", "help: is required"}},
		{"a seven-digit number is no short code", replace(`"+15005550006"`, `"5550100"`), []string{"numbers[0]", "short code of 5 or 6 digits"}},
		{"a vanity number is refused", replace(`"+15005550006"`, `"+1800FLOWERS"`), []string{"numbers[0]", "neither"}},
		{"a digit that is text", replace("digit: 2", "digit: two"), []string{"line 7", "text", "where a whole number belongs"}},
		{"messages as a list", validFile + "messages: [hello]\n", []string{"line 8", "maps a language tag to message names and their texts"}},
		{"messages without a language", validFile + "messages:\n  sms.help: \"Help\"\n", []string{"line 9", "messages.sms.help must map message names to texts"}},
		{"a message that is not one text", validFile + "messages:\n  en-US:\n    sms.help: [a, b]\n", []string{"line 10", "messages.en-US.sms.help must be one text"}},
		{"missing help", replace("help: \"Call 1-800-555-0100\"\n", ""), []string{"help: is required"}},
		{"duplicate category key", replace("key: offers", "key: order_updates"), []string{"line 7", "categories[1].key", "already used by categories[0]"}},
		{"duplicate keyword", replace("keyword: OFFERS", "keyword: ORDERS"), []string{"categories[1].keyword", "already used"}},
		{"duplicate digit", replace("digit: 2", "digit: 1"), []string{"categories[1].digit", "already used"}},
		{"digit 9 is reserved for all", replace("digit: 2", "digit: 9"), []string{"categories[1].digit", "1–8"}},
		{"digit 0 is reserved for stop", replace("digit: 2", "digit: 0"), []string{"categories[1].digit", "1–8"}},
		{"keyword with a space", replace("keyword: OFFERS", "keyword: \"MY OFFERS\""), []string{"categories[1].keyword", "no spaces"}},
		{"lower-case keyword", replace("keyword: OFFERS", "keyword: offers"), []string{"categories[1].keyword", "upper-case"}},
		{"keyword with punctuation", replace("keyword: OFFERS", "keyword: OFF-ERS"), []string{"categories[1].keyword"}},
		{"missing frequency", replace(`, frequency: "up to 4 messages a month"`, ""), []string{"categories[1].frequency: is required"}},
		{"missing label", replace("label: offers, ", ""), []string{"categories[1].label: is required"}},
		{"no categories", strings.Split(validFile, "categories:")[0], []string{"categories: at least one"}},
		{"no numbers", replace(`numbers: ["+15005550006"]`, "numbers: []"), []string{"numbers: at least one"}},
		{"number neither E.164 nor short code", replace(`"+15005550006"`, `"555-0100"`), []string{"line 4", "numbers[0]", "neither"}},
		{"number listed twice", replace(`"+15005550006"`, `"+15005550006", "+15005550006"`), []string{"numbers[1]", "listed twice"}},
		{"unknown revocation", validFile + "revocation: sometimes\n", []string{"revocation", "category or global"}},
		{"bad language tag", validFile + "language: english\n", []string{"language", "en-US"}},
		{"every problem is reported at once", replace("name: Acme Outdoor\n", "") + "revocation: x\n", []string{"name: is required", "revocation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := consent.ParseBusinessFile(strings.NewReader(tt.file))
			require.Error(t, err)
			assert.True(t, errors.Is(err, consent.ErrInvalid), "business file errors match ErrInvalid")
			assert.Empty(t, b.ID, "no business is returned on error")
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
