package flows

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/optin/optin/consent"
)

// LintProblem is one way a business's texts fall short of the policy, the law or the reply budget.
type LintProblem struct {
	Language string          // language tag of the texts, e.g. en-US; empty for the business as a whole
	Channel  consent.Channel // ivr, sms or whatsapp; empty when not about one channel
	Message  string          // message name, e.g. sms.disclosure; empty when not about one message
	Category string          // category key, or keys joined by "+" for a text about several; may be empty
	Problem  string          // what is wrong, e.g. `missing frequency "up to 4 messages a month" of offers`
}

// String says where the problem is and what it is, e.g.
// `en-US sms sms.disclosure for offers: missing the word WhatsApp`.
func (p LintProblem) String() string {
	var where []string
	for _, s := range []string{p.Language, string(p.Channel), p.Message} {
		if s != "" {
			where = append(where, s)
		}
	}
	if p.Category != "" {
		where = append(where, "for "+p.Category)
	}
	if len(where) == 0 {
		return p.Problem
	}
	return strings.Join(where, " ") + ": " + p.Problem
}

// Error makes a LintProblem usable as an error.
func (p LintProblem) Error() string { return p.String() }

// LintError is the error of a business whose texts fail LintBusiness.
type LintError []LintProblem

// Error lists every problem, one per line after a summary.
func (e LintError) Error() string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = "  " + p.String()
	}
	return fmt.Sprintf("business texts fail the disclosure lint (%d problems):\n%s", len(e), strings.Join(lines, "\n"))
}

// Unwrap lets errors.Is(err, consent.ErrInvalid) match a lint failure.
func (e LintError) Unwrap() error { return consent.ErrInvalid }

var languageTagRe = regexp.MustCompile(`^[a-z]{2}(-[A-Z]{2})?$`)

// Channels whose texts the lint renders: disclosures are spoken or sent on all three, replies
// are sent on the two text channels.
var (
	disclosureChannels = []consent.Channel{consent.ChannelIVR, consent.ChannelSMS, consent.ChannelWhatsApp}
	replyChannels      = []consent.Channel{consent.ChannelSMS, consent.ChannelWhatsApp}
)

// LintBusiness checks every text the flows would speak or send for b, in every channel (ivr, sms,
// whatsapp), for every category and for all categories together, in the business language and
// every language it overrides: each opt-in disclosure names the business, says WhatsApp, names
// the category and its frequency and says how to opt out of it; SMS adds the rates notice and
// HELP; voice says the caller's last four digits; confirmations, HELP and the menu fit two SMS
// segments. It also rejects unknown message names and placeholders in overrides, languages with
// neither built-in texts nor a full set of overrides, and category keywords that collide with
// reserved words such as STOP, YES, HELP, START, JOIN or ALL. No problems means b may be applied.
func LintBusiness(b consent.Business) []LintProblem {
	problems := lintKeywords(b)
	problems = append(problems, lintOverrides(b)...)
	for _, tag := range businessLanguages(b) {
		t := newTexts(b, tag)
		for _, ch := range disclosureChannels {
			problems = append(problems, lintDisclosures(t, ch)...)
		}
		for _, ch := range replyChannels {
			problems = append(problems, lintReplies(t, ch)...)
		}
	}
	return problems
}

func lintKeywords(b consent.Business) []LintProblem {
	var problems []LintProblem
	for _, c := range b.Categories {
		if isReserved(Normalise(c.Keyword)) {
			problems = append(problems, LintProblem{Category: c.Key,
				Problem: fmt.Sprintf("keyword %q is reserved: it means the same for every business (opt-out, help, yes, start or all words)", c.Keyword)})
		}
	}
	return problems
}

// businessLanguages is the business language and every language it overrides, sorted.
func businessLanguages(b consent.Business) []string {
	set := map[string]bool{newTexts(b, b.Language).tag: true}
	for tag := range b.Messages {
		set[tag] = true
	}
	return slices.Sorted(maps.Keys(set))
}

func lintOverrides(b consent.Business) []LintProblem {
	known := map[string]bool{}
	for _, n := range messageNames {
		known[n] = true
		if twin, ok := strings.CutPrefix(n, "sms."); ok {
			known["whatsapp."+twin] = true
		}
	}
	var problems []LintProblem
	for _, tag := range businessLanguages(b) {
		if !languageTagRe.MatchString(tag) {
			problems = append(problems, LintProblem{Language: tag, Problem: "is not a language tag such as en-US or es-US"})
		}
		overrides := b.Messages[tag]
		for _, name := range slices.Sorted(maps.Keys(overrides)) {
			if !known[name] {
				problems = append(problems, LintProblem{Language: tag, Message: name,
					Problem: "unknown message name; known names: " + strings.Join(messageNames, ", ") + " and whatsapp.* twins of the sms.* names"})
				continue
			}
			for _, ph := range unknownPlaceholders(overrides[name]) {
				problems = append(problems, LintProblem{Language: tag, Message: name, Problem: fmt.Sprintf("unknown placeholder {%s}", ph)})
			}
		}
		if _, ok := builtin[baseLanguage(tag)]; !ok {
			var missing []string
			for _, n := range messageNames {
				if _, ok := overrides[n]; !ok {
					missing = append(missing, n)
				}
			}
			if len(missing) > 0 {
				problems = append(problems, LintProblem{Language: tag,
					Problem: fmt.Sprintf("no built-in %s texts: override every message (missing %s)", baseLanguage(tag), strings.Join(missing, ", "))})
			}
		}
	}
	return problems
}

func unknownPlaceholders(tmpl string) []string {
	var unknown []string
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			return unknown
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			return unknown
		}
		if name := tmpl[open+1 : open+end]; !placeholders[name] {
			unknown = append(unknown, name)
		}
		tmpl = tmpl[open+end+1:]
	}
}

// lintDisclosures checks the opt-in disclosure of each category and of all together on ch.
func lintDisclosures(t texts, ch consent.Channel) []LintProblem {
	sets := make([][]consent.Category, 0, len(t.b.Categories)+1)
	for _, c := range t.b.Categories {
		sets = append(sets, []consent.Category{c})
	}
	if len(t.b.Categories) > 1 {
		sets = append(sets, t.b.Categories)
	}
	var problems []LintProblem
	for _, cats := range sets {
		at := LintProblem{Language: t.tag, Channel: ch, Message: t.source(textName(ch, MsgSMSDisclosure)), Category: strings.Join(keysOfCategories(cats), "+")}
		var text string
		if ch == consent.ChannelIVR {
			at.Message = MsgVoiceDisclosure
			text = t.voiceDisclosure(cats, sampleCaller)
		} else {
			text = t.textDisclosure(ch, cats)
		}
		for _, m := range missingElements(t.b, cats, ch, text) {
			problems = append(problems, at.with("missing "+m))
		}
		if ch == consent.ChannelIVR && !strings.Contains(text, spokenLast4(sampleCaller)) {
			problems = append(problems, at.with("missing the caller's number by its last four digits ({last4})"))
		}
		// A disclosure of several categories that is too long is replaced by the menu, so only
		// a single category must fit.
		if ch != consent.ChannelIVR && len(cats) == 1 && !FitsReply(text) {
			problems = append(problems, at.with(budgetProblem(text)))
		}
	}
	return problems
}

// lintReplies checks the confirmation, HELP, stop confirmations and menu of a text channel.
func lintReplies(t texts, ch consent.Channel) []LintProblem {
	var problems []LintProblem
	check := func(name string, cats []consent.Category, text string, need ...string) {
		at := LintProblem{Language: t.tag, Channel: ch, Message: t.source(textName(ch, name)), Category: strings.Join(keysOfCategories(cats), "+")}
		for _, phrase := range need {
			if !contains(text, phrase) {
				problems = append(problems, at.with(fmt.Sprintf("missing %q", phrase)))
			}
		}
		if ch == consent.ChannelSMS && (name == MsgSMSConfirm || name == MsgSMSHelp) {
			for _, m := range missingSMSNotices(text) {
				problems = append(problems, at.with("missing "+m))
			}
		}
		if !FitsReply(text) {
			problems = append(problems, at.with(budgetProblem(text)))
		}
	}
	all := t.b.Categories
	check(MsgSMSConfirm, all, t.optInConfirm(ch, all), append([]string{t.b.Name, "WhatsApp", "STOP"}, labelsOf(all)...)...)
	for _, c := range all {
		one := []consent.Category{c}
		check(MsgSMSConfirm, one, t.optInConfirm(ch, one), t.b.Name, "WhatsApp", c.Label, c.Frequency, "STOP "+c.Keyword)
		if len(all) > 1 {
			check(MsgSMSStopConfirm, one, t.stopConfirm(ch, one), t.b.Name)
		}
	}
	check(MsgSMSStopAllConfirm, nil, t.stopConfirm(ch, all), t.b.Name)
	check(MsgSMSHelp, nil, t.helpReply(ch), t.b.Name, t.b.Help, "STOP")
	check(MsgSMSMenu, nil, t.menuReply(ch))
	return problems
}

func (p LintProblem) with(problem string) LintProblem {
	p.Problem = problem
	return p
}

func budgetProblem(text string) string {
	n, ucs2 := Segments(text)
	enc := "GSM-7"
	if ucs2 {
		enc = "UCS-2"
	}
	return fmt.Sprintf("takes %d SMS segments (%d characters, %s); at most %d are allowed: shorten the labels, frequencies or the text",
		n, len([]rune(text)), enc, MaxReplySegments)
}

func keysOfCategories(cats []consent.Category) []string {
	keys := make([]string, len(cats))
	for i, c := range cats {
		keys[i] = c.Key
	}
	return keys
}

func labelsOf(cats []consent.Category) []string {
	labels := make([]string, len(cats))
	for i, c := range cats {
		labels[i] = c.Label
	}
	return labels
}
