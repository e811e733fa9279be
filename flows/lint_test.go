package flows

import (
	"errors"
	"strings"
	"testing"

	"github.com/optin/optin/consent"
)

func TestLintBusinessPassesTheBuiltInTexts(t *testing.T) {
	for _, lang := range []string{"en-US", "es-US", "es-MX", "en-GB"} {
		t.Run(lang, func(t *testing.T) {
			b := acme(t)
			b.Language = lang
			if problems := LintBusiness(b); len(problems) > 0 {
				t.Errorf("the built-in %s texts fail the lint:\n%v", lang, LintError(problems))
			}
		})
	}
}

func TestLintBusinessFindsEveryMissingElement(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(b *consent.Business)
		wants []string // each must appear in one problem
	}{
		{"an SMS disclosure override without the frequency",
			func(b *consent.Business) {
				b.Messages = map[string]map[string]string{"en-US": {MsgSMSDisclosure: "Reply YES to get {labels} from {business} on WhatsApp. Reply {stops} to opt out. HELP for help. Msg & data rates may apply."}}
			},
			[]string{`en-US sms sms.disclosure for offers: missing frequency "up to 4 messages a month" of offers and promotions`,
				`en-US whatsapp sms.disclosure for order_updates+offers+restock: missing frequency "up to 5 messages per order"`}},
		{"an SMS override without rates and HELP",
			func(b *consent.Business) {
				b.Messages = map[string]map[string]string{"en-US": {MsgSMSDisclosure: "Reply YES for {items} from {business} on WhatsApp. Reply {stops} to opt out."}}
			},
			[]string{`en-US sms sms.disclosure for order_updates: missing "Msg & data rates may apply"`, "sms.disclosure for order_updates: missing HELP"}},
		{"a WhatsApp override is linted on its own",
			func(b *consent.Business) {
				b.Messages = map[string]map[string]string{"en-US": {"whatsapp.disclosure": "Reply YES for {items} on WhatsApp. Reply {stops} to opt out."}}
			},
			[]string{`en-US whatsapp whatsapp.disclosure for restock: missing business name "Acme Outdoor"`}},
		{"a voice disclosure that never says WhatsApp, how to opt out or the number",
			func(b *consent.Business) {
				b.Messages = map[string]map[string]string{"en-US": {MsgVoiceDisclosure: "Press 1 for {items} from {business}."}}
			},
			[]string{"ivr voice.disclosure for offers: missing the word WhatsApp", "ivr voice.disclosure for offers: missing how to opt out",
				"ivr voice.disclosure for offers: missing the caller's number by its last four digits"}},
		{"a voice disclosure that lacks one category label",
			func(b *consent.Business) {
				b.Messages = map[string]map[string]string{"en-US": {MsgVoiceDisclosure: "Press 1 for WhatsApp messages from {business} at {last4}, {frequency}. Text STOP to opt out."}}
			},
			[]string{`ivr voice.disclosure for order_updates: missing category label "order updates"`}},
		{"an unknown message name",
			func(b *consent.Business) {
				b.Messages = map[string]map[string]string{"en-US": {"sms.disclaimer": "hello"}}
			},
			[]string{"en-US sms.disclaimer: unknown message name"}},
		{"an unknown placeholder",
			func(b *consent.Business) {
				b.Messages = map[string]map[string]string{"en-US": {MsgSMSMenu: "{business}: text {keywords} or {nonsense}. HELP, STOP."}}
			},
			[]string{"en-US sms.menu: unknown placeholder {nonsense}"}},
		{"a language without built-in texts",
			func(b *consent.Business) { b.Language = "fr-FR" },
			[]string{"fr-FR: no built-in fr texts: override every message (missing sms.disclosure"}},
		{"a malformed language key",
			func(b *consent.Business) {
				b.Messages = map[string]map[string]string{"english": {MsgSMSMenu: "{business}"}}
			},
			[]string{"english: is not a language tag"}},
		{"a keyword that is a reserved word",
			func(b *consent.Business) { b.Categories[0].Keyword = "STOP"; b.Categories[1].Keyword = "JOIN" },
			[]string{`for order_updates: keyword "STOP" is reserved`, `for offers: keyword "JOIN" is reserved`}},
		{"frequencies so long that a single disclosure cannot fit two segments",
			func(b *consent.Business) { b.Categories[0].Frequency = strings.Repeat("often ", 40) },
			[]string{"en-US sms sms.disclosure for order_updates: takes 3 SMS segments"}},
		{"a help contact so long HELP cannot fit",
			func(b *consent.Business) { b.Help = strings.Repeat("call us ", 40) },
			[]string{"en-US sms sms.help: takes"}},
		{"a confirmation override without STOP",
			func(b *consent.Business) {
				b.Messages = map[string]map[string]string{"en-US": {MsgSMSConfirm: "{business}: thanks for {items} on WhatsApp. Msg & data rates may apply. HELP for help."}}
			},
			[]string{`en-US sms sms.confirm for offers: missing "STOP OFFERS"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := acme(t)
			tt.edit(&b)
			problems := LintBusiness(b)
			all := LintError(problems).Error()
			for _, want := range tt.wants {
				if !strings.Contains(all, want) {
					t.Errorf("no problem says %q; got:\n%s", want, all)
				}
			}
		})
	}
}

func TestLintErrorIsAnInvalidInput(t *testing.T) {
	err := error(LintError{{Language: "en-US", Problem: "x"}})
	if !errors.Is(err, consent.ErrInvalid) {
		t.Error("a lint error is not consent.ErrInvalid")
	}
	if got := (LintProblem{Problem: "bare"}).Error(); got != "bare" {
		t.Errorf("a problem with no place reads %q", got)
	}
}

func TestLintDisclosure(t *testing.T) {
	b := acme(t)
	good := "Yes, send me offers and promotions (up to 4 messages a month) and order updates (up to 5 messages per order) " +
		"from Acme Outdoor on WhatsApp. I can opt out any time by replying STOP."
	tests := []struct {
		name    string
		cats    []string
		ch      consent.Channel
		text    string
		missing []string
	}{
		{"a complete web form passes", []string{"offers", "order_updates"}, consent.ChannelWeb, good, nil},
		{"a paper form without WhatsApp", []string{"offers"}, consent.ChannelPaper,
			"I agree to get offers and promotions, up to 4 messages a month, from Acme Outdoor. To opt-out call us.", []string{"the word WhatsApp"}},
		{"a web form for a category it does not name", []string{"restock"}, consent.ChannelWeb, good,
			[]string{`category label "back-in-stock alerts"`, `frequency "up to 2 messages a week" of back-in-stock alerts`}},
		{"a web form that never names the business or opting out", []string{"offers"}, consent.ChannelWeb,
			"Get offers and promotions on WhatsApp!", []string{`business name "Acme Outdoor"`, `frequency "up to 4 messages a month" of offers and promotions`, "how to opt out"}},
		{"an unknown category", []string{"nope"}, consent.ChannelWeb, good, []string{`unknown category "nope"`}},
		{"no category at all", nil, consent.ChannelWeb, good, []string{"at least one category"}},
		{"an SMS text needs the frequency, keyword, rates and HELP", []string{"offers"}, consent.ChannelSMS,
			"Acme Outdoor offers and promotions on WhatsApp. Reply STOP to opt out.",
			[]string{`frequency "up to 4 messages a month" of offers and promotions`, "how to opt out of offers and promotions (STOP OFFERS)",
				`"Msg & data rates may apply"`, "HELP"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LintDisclosure(b, tt.cats, tt.ch, tt.text)
			if strings.Join(got, "|") != strings.Join(tt.missing, "|") {
				t.Errorf("LintDisclosure = %q, want %q", got, tt.missing)
			}
		})
	}
}
