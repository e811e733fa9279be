package flows

import (
	"fmt"
	"testing"
	"time"

	"github.com/optin/optin/consent"
)

// textTurn is one inbound message of a golden conversation.
type textTurn struct {
	body, payload, button, hint string
	after                       time.Duration // time since the previous message
}

// TestTextConversations plays whole SMS and WhatsApp conversations, carrying the pending
// disclosure and the consent states from message to message, and compares them with the golden
// files in fixtures/flows.
func TestTextConversations(t *testing.T) {
	convs := []struct {
		name, title string
		channel     consent.Channel
		optedOut    bool // the sender starts opted out of everything
		turns       []textTurn
	}{
		{"text-offers-yes", "a customer texts OFFERS, then YES", consent.ChannelSMS, false,
			[]textTurn{{body: "OFFERS"}, {body: "Yes!", after: 3 * time.Minute}}},
		{"text-yes-orders-cold", "YES ORDERS with nothing pending asks first, then a YES opts in", consent.ChannelSMS, false,
			[]textTurn{{body: "YES ORDERS"}, {body: "y", after: time.Minute}}},
		{"text-expired-disclosure", "a YES a day too late gets the disclosure again", consent.ChannelSMS, false,
			[]textTurn{{body: "restock"}, {body: "YES", after: 25 * time.Hour}, {body: "yes", after: time.Minute}}},
		{"text-stop-variants", "STOP OFFERS, natural-language revocation, then repeat STOPs", consent.ChannelSMS, false,
			[]textTurn{{body: "START"}, {body: "YES", after: time.Minute}, {body: "stop offers", after: time.Hour},
				{body: "Please stop texting me!!", after: time.Hour}, {body: "STOP", after: time.Minute}, {body: "Arrêt", after: time.Minute},
				{body: "opt-out", after: time.Minute}}},
		{"text-help", "HELP in English and Spanish", consent.ChannelSMS, false,
			[]textTurn{{body: "HELP"}, {body: "ayuda", after: time.Minute}, {body: "what is this?", after: time.Minute}}},
		{"text-opted-out-says-hi", "someone opted out of everything says hi, then asks to rejoin", consent.ChannelSMS, true,
			[]textTurn{{body: "hi"}, {body: "hello??", after: time.Minute}, {body: "ORDERS", after: time.Hour}, {body: "YES", after: time.Minute}}},
		{"whatsapp-buttons", "WhatsApp quick-reply buttons: Yes, then Stop promotions", consent.ChannelWhatsApp, false,
			[]textTurn{{body: "OFFERS"}, {body: "Yes", payload: "YES", button: "Yes", after: time.Minute},
				{body: "Stop promotions", button: "Stop promotions", after: 48 * time.Hour}}},
		{"text-provider-opt-out", "Twilio Advanced Opt-Out answers STOP and START itself", consent.ChannelSMS, false,
			[]textTurn{{body: "OFFERS"}, {body: "YES", hint: "START", after: time.Minute}, {body: "STOP", hint: "STOP", after: time.Hour},
				{body: "START", hint: "START", after: time.Hour}}},
	}
	for _, c := range convs {
		t.Run(c.name, func(t *testing.T) {
			b := acme(t)
			at := textTime
			consents := map[string]consent.Status{}
			if c.optedOut {
				for _, k := range b.CategoryKeys() {
					consents[k] = consent.StatusOptedOut
				}
			}
			var pending *consent.Pending
			var tr transcript
			tr.line("# %s", c.title)
			tr.line("# %s texts %s (%s) over %s", texter, b.Name, b.ID, c.channel)
			for _, turn := range c.turns {
				at = at.Add(turn.after)
				in := MessageInput{Business: b, Phone: texter, Channel: c.channel, Text: turn.body, ButtonPayload: turn.payload,
					ButtonText: turn.button, OptOutType: turn.hint, Pending: pending, Now: at}
				for _, k := range b.CategoryKeys() {
					if s, ok := consents[k]; ok {
						in.Consents = append(in.Consents, consent.Consent{BusinessID: b.ID, Phone: texter, Category: k, Status: s})
					}
				}
				tr.line("\n> %s %q%s", at.Format(time.RFC3339), turn.body, turnExtras(turn))
				out := HandleMessage(in)
				for _, d := range out.Decisions {
					consents[d.Category] = d.Action.Status()
					disc := ""
					if d.Disclosure != nil {
						disc = fmt.Sprintf(", disclosure %s %s sha256:%s", d.Disclosure.Channel, d.Disclosure.Language, d.Disclosure.SHA256[:12])
					}
					tr.line("< RECORD %s %s (reason %s, input %q%s)", d.Action, d.Category, d.Reason, d.Input, disc)
				}
				if out.Reply == "" {
					tr.line("< no reply")
				} else {
					n, _ := Segments(out.Reply)
					tr.line("< reply (%d segments): %s", n, out.Reply)
					if !FitsReply(out.Reply) {
						t.Errorf("reply over budget: %q", out.Reply)
					}
				}
				if out.PendingChanged {
					pending = out.Pending
					if pending == nil {
						tr.line("< pending cleared")
					} else {
						tr.line("< pending %v until %s (sha256:%s)", pending.Categories, pending.ExpiresAt.Format(time.RFC3339), pending.Disclosure.SHA256[:12])
					}
				}
			}
			checkGolden(t, c.name, tr.String())
		})
	}
}

func turnExtras(turn textTurn) string {
	s := ""
	if turn.payload != "" || turn.button != "" {
		s += fmt.Sprintf(" [button payload %q text %q]", turn.payload, turn.button)
	}
	if turn.hint != "" {
		s += fmt.Sprintf(" [OptOutType %s]", turn.hint)
	}
	return s
}
