package flows

import (
	"fmt"
	"strings"

	"github.com/optin/optin/consent"
)

// Cues, in normalised form, that show a text carries an element the lint asks for.
var (
	// optOutCues show a text says how to opt out, in any channel where the exact keyword is
	// not required (voice, web, paper).
	optOutCues = strings.Split("STOP|OPTOUT|OPTING OUT|UNSUBSCRIBE|CANCEL|REVOKE|WITHDRAW|PRESS 0|"+
		"CANCELAR|BAJA|MARQUE 0|ARRET|DESABONNER|DESINSCRIRE", "|")
	ratesCues = strings.Split("RATES MAY APPLY|TARIFAS DE MENSAJES Y DATOS|FRAIS", "|")
	helpCues  = strings.Split("HELP|INFO|AYUDA|AIDE", "|")
)

// sampleCaller is the caller the lint speaks voice texts to, to find its last four digits.
const sampleCaller = "+15555550123"

// contains reports whether text holds phrase as whole words, after normalising both.
func contains(text, phrase string) bool {
	p := Normalise(phrase)
	return p != "" && strings.Contains(" "+Normalise(text)+" ", " "+p+" ")
}

func containsAny(text string, phrases []string) bool {
	for _, p := range phrases {
		if contains(text, p) {
			return true
		}
	}
	return false
}

// missingElements names what an opt-in disclosure for cats on channel ch lacks: the business
// name, the word WhatsApp and, per category, its label, its frequency and how to opt out of
// it; on SMS the rates notice and HELP.
func missingElements(b consent.Business, cats []consent.Category, ch consent.Channel, text string) []string {
	var missing []string
	if !contains(text, b.Name) {
		missing = append(missing, fmt.Sprintf("business name %q", b.Name))
	}
	if !contains(text, "WhatsApp") {
		missing = append(missing, "the word WhatsApp")
	}
	texted := ch == consent.ChannelSMS || ch == consent.ChannelWhatsApp
	for _, c := range cats {
		if !contains(text, c.Label) {
			missing = append(missing, fmt.Sprintf("category label %q", c.Label))
		}
		if !contains(text, c.Frequency) {
			missing = append(missing, fmt.Sprintf("frequency %q of %s", c.Frequency, c.Label))
		}
		if texted && !contains(text, "STOP "+c.Keyword) {
			missing = append(missing, fmt.Sprintf("how to opt out of %s (STOP %s)", c.Label, c.Keyword))
		}
	}
	if !texted && !containsAny(text, optOutCues) {
		missing = append(missing, "how to opt out")
	}
	if ch == consent.ChannelSMS {
		missing = append(missing, missingSMSNotices(text)...)
	}
	return missing
}

// missingSMSNotices names the notices every SMS asking for or confirming consent must carry.
func missingSMSNotices(text string) []string {
	var missing []string
	if !containsAny(text, ratesCues) {
		missing = append(missing, `"Msg & data rates may apply"`)
	}
	if !containsAny(text, helpCues) {
		missing = append(missing, "HELP")
	}
	return missing
}

// LintDisclosure names every element an opt-in disclosure shown on channel ch (typically web or
// paper, reported through the API) lacks for the categories with the given keys: the business
// name, the word WhatsApp, each category label and frequency, and how to opt out; on sms also
// the rates notice and HELP. An unknown or missing
// category is named too. The result is empty when the text passes.
func LintDisclosure(b consent.Business, categories []string, ch consent.Channel, text string) []string {
	var missing []string
	var cats []consent.Category
	for _, key := range categories {
		c, ok := b.Category(key)
		if !ok {
			missing = append(missing, fmt.Sprintf("unknown category %q", key))
			continue
		}
		cats = append(cats, c)
	}
	if len(categories) == 0 {
		missing = append(missing, "at least one category")
	}
	return append(missing, missingElements(b, cats, ch, text)...)
}
