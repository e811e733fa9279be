package imports_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/imports"
	"github.com/optin/optin/fixtures"
)

// importNow is the time of the imports under test.
var importNow = time.Date(2025, 4, 11, 12, 0, 0, 0, time.UTC)

// offersText passes the lint of web opt-ins for the demo business's offers.
const offersText = "Yes, send me offers and promotions from Acme Outdoor on WhatsApp, up to 4 messages a month. Reply STOP OFFERS to opt out."

func demoBusiness(t testing.TB) consent.Business {
	t.Helper()
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	require.NoError(t, err)
	return b
}

// goodRow is an opt-in to offers that imports.
func goodRow() imports.Row {
	return imports.Row{Phone: "+14155552671", Category: "offers", Status: "opted_in", OccurredAt: "2023-06-01T10:00:00Z",
		Channel: "paper", Disclosure: offersText, Evidence: map[string]any{"form": "in-store"}, Key: "crm-1"}
}

func TestAGoodRowBecomesAnImportEventWithItsOriginalTimeAndChannel(t *testing.T) {
	c := imports.NewChecker(demoBusiness(t), importNow, imports.CheckOptions{})
	e, err := c.Event(goodRow())
	require.NoError(t, err)
	assert.Equal(t, "acme", e.BusinessID)
	assert.Equal(t, "+14155552671", e.Phone)
	assert.Equal(t, consent.ActionOptIn, e.Action)
	assert.Equal(t, consent.ChannelPaper, e.Channel)
	assert.Equal(t, consent.ReasonImport, e.Reason)
	assert.Equal(t, time.Date(2023, 6, 1, 10, 0, 0, 0, time.UTC), e.OccurredAt)
	assert.Equal(t, "import:crm-1", e.IdempotencyKey)
	require.NotNil(t, e.Disclosure)
	assert.Equal(t, offersText, e.Disclosure.Text)
	assert.Equal(t, "en-US", e.Disclosure.Language)
	assert.Equal(t, map[string]any{"form": "in-store", "import": map[string]any{"key": "crm-1"}}, e.Evidence)
}

func TestBadRowsAreRefusedNamingTheField(t *testing.T) {
	cases := []struct {
		name   string
		change func(*imports.Row)
		want   string
	}{
		{"no key", func(r *imports.Row) { r.Key = "" }, "key is required"},
		{"a key with a line break", func(r *imports.Row) { r.Key = "a\nb" }, "key must be"},
		{"no phone", func(r *imports.Row) { r.Phone = "" }, "phone is required"},
		{"a phone with letters is refused, never converted", func(r *imports.Row) { r.Phone = "1-800-FLOWERS" }, `phone "1-800-FLOWERS" holds letters`},
		{"a phone that is no number", func(r *imports.Row) { r.Phone = "+1555" }, "phone: "},
		{"an unknown category", func(r *imports.Row) { r.Category = "newsletter" }, `category "newsletter" is not one of this business's: order_updates, offers, restock`},
		{"a bad status", func(r *imports.Row) { r.Status = "yes" }, `status must be opted_in or opted_out, got "yes"`},
		{"a bad channel", func(r *imports.Row) { r.Channel = "fax" }, `channel must be where the consent was given: one of ivr, sms, whatsapp, api, web, paper, got "fax"`},
		{"no time", func(r *imports.Row) { r.OccurredAt = "" }, "occurred_at is required"},
		{"a time that is not RFC 3339", func(r *imports.Row) { r.OccurredAt = "01/06/2023" }, `occurred_at must be an RFC 3339 time`},
		{"a time in the future", func(r *imports.Row) { r.OccurredAt = "2025-04-11T12:00:01Z" }, "occurred_at 2025-04-11T12:00:01Z is in the future"},
		{"an opt-in without a disclosure", func(r *imports.Row) { r.Disclosure = "" }, "disclosure is required for an opt-in"},
		{"a disclosure that fails the lint", func(r *imports.Row) { r.Disclosure = "Sign up for offers." }, `disclosure lacks business name "Acme Outdoor", the word WhatsApp`},
		{"evidence using the import's own key", func(r *imports.Row) { r.Evidence = map[string]any{"import": 1} }, `evidence may not hold the key "import"`},
		{"evidence with a NUL", func(r *imports.Row) { r.Evidence = map[string]any{"note": "a\x00b"} }, "evidence.note holds a NUL character"},
	}
	c := imports.NewChecker(demoBusiness(t), importNow, imports.CheckOptions{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := goodRow()
			tc.change(&r)
			_, err := c.Event(r)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEveryProblemOfARowIsNamed(t *testing.T) {
	c := imports.NewChecker(demoBusiness(t), importNow, imports.CheckOptions{})
	_, err := c.Event(imports.Row{Phone: "+14155552671", Category: "offers", Status: "maybe", Channel: "fax", OccurredAt: "2023-06-01T10:00:00Z", Key: "k"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "status must be")
	assert.Contains(t, err.Error(), "; channel must be")
}

func TestANationalNumberUsesTheBusinessRegion(t *testing.T) {
	c := imports.NewChecker(demoBusiness(t), importNow, imports.CheckOptions{})
	r := goodRow()
	r.Phone = "(415) 555-2671"
	e, err := c.Event(r)
	require.NoError(t, err)
	assert.Equal(t, "+14155552671", e.Phone)
}

func TestAnOptOutNeedsNoDisclosureAndIsNeverRefusedOverOne(t *testing.T) {
	c := imports.NewChecker(demoBusiness(t), importNow, imports.CheckOptions{})
	r := goodRow()
	r.Status, r.Disclosure = "opted_out", ""
	e, err := c.Event(r)
	require.NoError(t, err)
	assert.Equal(t, consent.ActionOptOut, e.Action)
	assert.Nil(t, e.Disclosure)
	r.Disclosure = "Sign up for offers."
	_, err = c.Event(r)
	require.NoError(t, err, "the text that once asked is no reason to refuse an opt-out")
}

func TestAnOptInWithoutADisclosureImportsOnlyWhenAllowedAndSaysSo(t *testing.T) {
	r := goodRow()
	r.Disclosure = ""
	_, err := imports.NewChecker(demoBusiness(t), importNow, imports.CheckOptions{MissingDisclosureHint: "import with --allow-missing-disclosure"}).Event(r)
	require.ErrorContains(t, err, "(or import with --allow-missing-disclosure)")

	e, err := imports.NewChecker(demoBusiness(t), importNow, imports.CheckOptions{AllowMissingDisclosure: true}).Event(r)
	require.NoError(t, err)
	assert.Nil(t, e.Disclosure)
	assert.Equal(t, map[string]any{"key": "crm-1", "disclosure_missing": true}, e.Evidence["import"])
}
