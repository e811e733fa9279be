package consent_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestBusinessFileSendFieldsDefaults(t *testing.T) {
	b, err := consent.ParseBusinessFile(strings.NewReader(validFile))
	require.NoError(t, err)
	for _, c := range b.Categories {
		assert.Equal(t, consent.TemplateMarketing, c.TemplateCategory, "%s: a category is sent in marketing templates unless the file says otherwise", c.Key)
	}
	assert.True(t, b.USMarketingPause, "Meta's US pause of marketing templates is assumed unless the file says otherwise")
	assert.True(t, b.RevocationGlobalFrom.IsZero(), "no dated global revocation unless the file names a date")
}

func TestBusinessFileSendFields(t *testing.T) {
	utility := strings.Replace(validFile, `frequency: "up to 5 messages per order"}`, `frequency: "up to 5 messages per order", template_category: utility}`, 1)
	b, err := consent.ParseBusinessFile(strings.NewReader(utility + "us_marketing_pause: false\n"))
	require.NoError(t, err)
	assert.Equal(t, consent.TemplateUtility, b.Categories[0].TemplateCategory, "order updates are sent in utility templates")
	assert.Equal(t, consent.TemplateMarketing, b.Categories[1].TemplateCategory, "offers keep the default")
	assert.False(t, b.USMarketingPause, "a business may switch the US pause off once Meta lifts it")

	auth := strings.Replace(validFile, `frequency: "up to 4 messages a month"}`, `frequency: "up to 4 messages a month", template_category: authentication}`, 1)
	b, err = consent.ParseBusinessFile(strings.NewReader(auth))
	require.NoError(t, err)
	assert.Equal(t, consent.TemplateAuthentication, b.Categories[1].TemplateCategory)
}

func TestBusinessFileDatedRevocation(t *testing.T) {
	tests := []struct {
		name       string
		revocation string
		scope      consent.Revocation
		from       time.Time
	}{
		{"the plain per-category form stays valid", "revocation: category", consent.RevocationCategory, time.Time{}},
		{"the plain global form stays valid", "revocation: global", consent.RevocationGlobal, time.Time{}},
		{"per category until the FCC's revoke-all date", "revocation: {scope: category, global_from: 2027-01-31}",
			consent.RevocationCategory, time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"the date may be a quoted time with its offset", "revocation:\n  scope: category\n  global_from: \"2027-01-31T00:00:00-05:00\"",
			consent.RevocationCategory, time.Date(2027, 1, 31, 5, 0, 0, 0, time.UTC)},
		{"a date without a scope is per category until then", "revocation: {global_from: 2027-01-31}",
			consent.RevocationCategory, time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := consent.ParseBusinessFile(strings.NewReader(validFile + tt.revocation + "\n"))
			require.NoError(t, err)
			assert.Equal(t, tt.scope, b.Revocation)
			assert.Equal(t, tt.from, b.RevocationGlobalFrom)
		})
	}
}

func TestBusinessFileSendFieldErrors(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(validFile, old, new, 1) }
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"an unknown template category names the category and its line",
			replace("digit: 2,", "digit: 2, template_category: promo,"), []string{"line 7", "categories[1].template_category", `"promo"`, "marketing, utility or authentication"}},
		{"us_marketing_pause that is not true or false", validFile + "us_marketing_pause: maybe\n", []string{"line 8", "where true or false belongs"}},
		{"an unknown scope in the dated form", validFile + "revocation: {scope: sometimes, global_from: 2027-01-31}\n", []string{"line 8", "revocation", "category or global"}},
		{"a date that is no date", validFile + "revocation: {scope: category, global_from: next year}\n", []string{"line 8", "revocation.global_from", "not a date such as 2027-01-31"}},
		{"a date with a global scope says the date changes nothing", validFile + "revocation: {scope: global, global_from: 2027-01-31}\n", []string{"line 8", "revocation.global_from", "scope: category only"}},
		{"an unknown field in the dated form", validFile + "revocation: {scope: category, from: 2027-01-31}\n", []string{"line 8", "from", "allowed: scope, global_from"}},
		{"revocation as a list", validFile + "revocation: [category]\n", []string{"line 8", "revocation is category, global, or a mapping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := consent.ParseBusinessFile(strings.NewReader(tt.file))
			require.Error(t, err)
			assert.True(t, errors.Is(err, consent.ErrInvalid))
			assert.Empty(t, b.ID)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestRevokesGloballyFromItsDate(t *testing.T) {
	from := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	dated := consent.Business{Revocation: consent.RevocationCategory, RevocationGlobalFrom: from}
	tests := []struct {
		name string
		b    consent.Business
		now  time.Time
		want bool
	}{
		{"a STOP the day before the date revokes one category", dated, from.Add(-time.Second), false},
		{"a STOP at the date revokes every category", dated, from, true},
		{"a STOP after the date revokes every category", dated, from.AddDate(0, 1, 0), true},
		{"a business revoking per category without a date never revokes all", consent.Business{Revocation: consent.RevocationCategory}, from.AddDate(10, 0, 0), false},
		{"a business revoking globally always revokes all", consent.Business{Revocation: consent.RevocationGlobal}, from.AddDate(-10, 0, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.b.RevokesGlobally(tt.now))
		})
	}
}
