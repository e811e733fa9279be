package flows

import (
	"strings"

	"github.com/optin/optin/consent"
)

// texts renders the messages of one business in one language.
type texts struct {
	b    consent.Business
	tag  string   // language tag as spoken or written, e.g. en-US
	lang language // built-in texts and list words; English when the language has none
}

func newTexts(b consent.Business, tag string) texts {
	if tag == "" {
		tag = "en-US"
	}
	lang, ok := builtin[baseLanguage(tag)]
	if !ok {
		lang = builtin["en"]
	}
	return texts{b: b, tag: tag, lang: lang}
}

func baseLanguage(tag string) string {
	base, _, _ := strings.Cut(tag, "-")
	return strings.ToLower(base)
}

// template returns the business's override of name in this language, else the built-in text.
func (t texts) template(name string) string {
	s, _ := t.lookup(name)
	return s
}

// source names the message a text is taken from: a whatsapp.* name that is not overridden
// comes from its sms.* twin.
func (t texts) source(name string) string {
	_, src := t.lookup(name)
	return src
}

// lookup finds name among the business's overrides for this language, then among the built-in
// texts. A whatsapp.* name falls back to its sms.* twin at each level.
func (t texts) lookup(name string) (text, source string) {
	names := []string{name}
	if twin, ok := strings.CutPrefix(name, "whatsapp."); ok {
		names = append(names, "sms."+twin)
	}
	for _, n := range names {
		if s, ok := t.b.Messages[t.tag][n]; ok {
			return s, n
		}
	}
	for _, n := range names {
		if s, ok := t.lang.messages[n]; ok {
			return s, n
		}
	}
	return "", name
}

// textName is the message name of a text-channel message on channel ch.
func textName(ch consent.Channel, smsName string) string {
	if ch == consent.ChannelWhatsApp {
		return "whatsapp." + strings.TrimPrefix(smsName, "sms.")
	}
	return smsName
}

// vars are the values of the placeholders of one message.
type vars map[string]string

// render fills the placeholders of the message name. Unknown placeholders are left as written;
// the lint reports them.
func (t texts) render(name string, v vars) string {
	return fill(t.template(name), v)
}

func fill(tmpl string, v vars) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(tmpl[:open])
		key := tmpl[open+1 : open+end]
		if val, ok := v[key]; ok {
			b.WriteString(val)
		} else {
			b.WriteString(tmpl[open : open+end+1])
		}
		tmpl = tmpl[open+end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// common returns the placeholders every message may use, for the categories cats.
func (t texts) common(cats []consent.Category) vars {
	labels, stops, keywords := make([]string, len(cats)), make([]string, len(cats)), make([]string, len(t.b.Categories))
	for i, c := range cats {
		labels[i] = c.Label
		stops[i] = "STOP " + c.Keyword
	}
	for i, c := range t.b.Categories {
		keywords[i] = c.Keyword
	}
	rejoin := "START"
	if len(cats) > 0 && len(cats) < len(t.b.Categories) {
		rejoin = t.list(keywordsOf(cats), t.lang.or)
	}
	return vars{
		"business": t.b.Name, "help": t.b.Help,
		"labels": t.list(labels, t.lang.and), "stops": t.list(stops, t.lang.or),
		"keywords": t.list(keywords, t.lang.or), "rejoin": rejoin,
	}
}

// textItems lists categories with their frequency, as written: "order updates (up to 5 …)".
// Short lists name the labels only and say the frequency varies.
func (t texts) textItems(cats []consent.Category, short bool) string {
	items := make([]string, len(cats))
	for i, c := range cats {
		items[i] = c.Label + " (" + c.Frequency + ")"
		if short {
			items[i] = c.Label
		}
	}
	if short {
		return t.list(items, t.lang.and) + " (" + t.lang.varies + ")"
	}
	return t.list(items, t.lang.and)
}

// voiceItems lists categories with their frequency, as spoken: "order updates, up to 5 …; …".
func (t texts) voiceItems(cats []consent.Category) string {
	items := make([]string, len(cats))
	for i, c := range cats {
		items[i] = c.Label + ", " + c.Frequency
	}
	if len(items) <= 2 {
		return strings.Join(items, "; "+t.lang.and+" ")
	}
	return strings.Join(items[:len(items)-1], "; ") + "; " + t.lang.and + " " + items[len(items)-1]
}

// list joins words as a sentence does: "a", "a and b", "a, b, and c" (or "a, b y c").
func (t texts) list(words []string, conj string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	case 2:
		return words[0] + " " + conj + " " + words[1]
	}
	last := " " + conj + " "
	if t.lang.serial {
		last = "," + last
	}
	return strings.Join(words[:len(words)-1], ", ") + last + words[len(words)-1]
}

// spokenLast4 returns the last four digits of a phone number spaced out, so a voice reads them
// one by one: "0 1 2 3".
func spokenLast4(phone string) string {
	var digits []byte
	for i := 0; i < len(phone); i++ {
		if phone[i] >= '0' && phone[i] <= '9' {
			digits = append(digits, phone[i])
		}
	}
	if len(digits) > 4 {
		digits = digits[len(digits)-4:]
	}
	return strings.Join(strings.Split(string(digits), ""), " ")
}

func keywordsOf(cats []consent.Category) []string {
	out := make([]string, len(cats))
	for i, c := range cats {
		out[i] = c.Keyword
	}
	return out
}
