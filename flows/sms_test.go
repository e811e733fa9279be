package flows

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/optin/optin/consent"
)

const texter = "+14155550199"

var textTime = time.Date(2025, time.June, 2, 15, 4, 5, 0, time.UTC)

// textState describes the sender before the message.
type textState struct {
	pending   []string // keywords of a disclosure sent an hour ago
	expired   bool     // that disclosure was sent 25 hours ago instead
	optedIn   []string // category keys
	optedOut  []string // category keys
	global    bool     // the business revokes globally
	channel   consent.Channel
	payload   string
	button    string
	hint      string
	oneCateg  bool // the business has only its first category
	longTexts bool // the business's frequencies are long
}

func (s textState) input(t *testing.T, body string) MessageInput {
	b := acme(t)
	if s.global {
		b.Revocation = consent.RevocationGlobal
	}
	if s.oneCateg {
		b.Categories = b.Categories[:1]
	}
	if s.longTexts {
		for i := range b.Categories {
			b.Categories[i].Frequency = "up to twelve messages in every single week of the year"
		}
	}
	ch := s.channel
	if ch == "" {
		ch = consent.ChannelSMS
	}
	in := MessageInput{Business: b, Phone: texter, Channel: ch, Text: body, ButtonPayload: s.payload, ButtonText: s.button, OptOutType: s.hint, Now: textTime}
	if s.pending != nil {
		sentAt := textTime.Add(-time.Hour)
		if s.expired {
			sentAt = textTime.Add(-25 * time.Hour)
		}
		sent := HandleMessage(MessageInput{Business: b, Phone: texter, Channel: ch, Text: strings.Join(s.pending, " "), Now: sentAt})
		if sent.Pending == nil {
			t.Fatalf("setting up: %q left nothing pending", s.pending)
		}
		in.Pending = sent.Pending
	}
	for _, k := range s.optedIn {
		in.Consents = append(in.Consents, consent.Consent{BusinessID: b.ID, Phone: texter, Category: k, Status: consent.StatusOptedIn})
	}
	for _, k := range s.optedOut {
		in.Consents = append(in.Consents, consent.Consent{BusinessID: b.ID, Phone: texter, Category: k, Status: consent.StatusOptedOut})
	}
	return in
}

var everything = []string{"order_updates", "offers", "restock"}

func TestHandleMessage(t *testing.T) {
	tests := []struct {
		name      string
		state     textState
		body      string
		reply     []string // each must appear in the reply, in order; nil means no reply
		decisions []string // "opt_in offers keyword"
		pending   []string // category keys pending after; nil means none
		changed   bool
	}{
		{name: "OFFERS sends the offers disclosure and remembers it", body: "OFFERS",
			reply: []string{"Reply YES to get offers and promotions (up to 4 messages a month) from Acme Outdoor on WhatsApp.", "STOP OFFERS", "HELP", "Msg & data rates may apply"}, pending: []string{"offers"}, changed: true},
		{name: "YES to a pending disclosure opts in and confirms", state: textState{pending: []string{"OFFERS"}}, body: "yes",
			reply:     []string{"Acme Outdoor: you are subscribed to offers and promotions (up to 4 messages a month) on WhatsApp.", "Msg & data rates may apply", "HELP", "STOP OFFERS"},
			decisions: []string{"opt_in offers keyword yes"}, changed: true},
		{name: "Sí with an accent counts as YES", state: textState{pending: []string{"OFFERS"}}, body: "Sí!",
			reply: []string{"subscribed"}, decisions: []string{"opt_in offers keyword Sí!"}, changed: true},
		{name: "YES ORDERS with nothing pending sends the disclosure, records nothing", body: "YES ORDERS",
			reply: []string{"Reply YES to get order updates"}, pending: []string{"order_updates"}, changed: true},
		{name: "YES with nothing pending sends the disclosure of every category", body: "Yes",
			reply: []string{"order updates (up to 5 messages per order), offers and promotions (up to 4 messages a month), and back-in-stock alerts", "STOP ORDERS, STOP OFFERS, or STOP RESTOCK"}, pending: everything, changed: true},
		{name: "START sends the disclosure of every category", body: "start", reply: []string{"Reply YES to get order updates"}, pending: everything, changed: true},
		{name: "YES to an expired disclosure sends it again instead of opting in", state: textState{pending: []string{"OFFERS"}, expired: true}, body: "YES",
			reply: []string{"Reply YES to get order updates"}, pending: everything, changed: true},
		{name: "YES OFFERS to a disclosure of two opts in to offers only", state: textState{pending: []string{"ORDERS", "OFFERS"}}, body: "yes offers",
			reply: []string{"subscribed to offers and promotions"}, decisions: []string{"opt_in offers keyword yes offers"}, pending: []string{"order_updates"}, changed: true},
		{name: "YES RESTOCK when only offers is pending asks about restock", state: textState{pending: []string{"OFFERS"}}, body: "YES RESTOCK",
			reply: []string{"back-in-stock alerts"}, pending: []string{"restock"}, changed: true},
		{name: "YES to a disclosure of everything opts in to every category", state: textState{pending: []string{"START"}}, body: "Y",
			reply:     []string{"subscribed to order updates (up to 5 messages per order), offers and promotions (up to 4 messages a month), and back-in-stock alerts (up to 2 messages a week) on WhatsApp"},
			decisions: []string{"opt_in order_updates keyword Y", "opt_in offers keyword Y", "opt_in restock keyword Y"}, changed: true},
		{name: "a too long disclosure of everything falls back to the menu", state: textState{longTexts: true}, body: "JOIN",
			reply: []string{"Acme Outdoor: text ORDERS, OFFERS, or RESTOCK to get WhatsApp messages"}},
		{name: "STOP opts out of everything with one confirmation", state: textState{optedIn: everything}, body: "STOP",
			reply:     []string{"Acme Outdoor: you are unsubscribed and will get no more WhatsApp messages from us. Reply START to rejoin."},
			decisions: []string{"opt_out order_updates keyword STOP", "opt_out offers keyword STOP", "opt_out restock keyword STOP"}},
		{name: "a repeat STOP sends nothing and records nothing", state: textState{optedOut: everything}, body: "stop"},
		{name: "STOP from someone never subscribed records the revocation", body: "Stop.",
			reply:     []string{"unsubscribed"},
			decisions: []string{"opt_out order_updates keyword Stop.", "opt_out offers keyword Stop.", "opt_out restock keyword Stop."}},
		{name: "STOP OFFERS opts out of offers only", state: textState{optedIn: everything}, body: "STOP OFFERS",
			reply: []string{"Acme Outdoor: you will no longer get offers and promotions on WhatsApp. Reply OFFERS to rejoin."}, decisions: []string{"opt_out offers keyword STOP OFFERS"}},
		{name: "STOP OFFERS opts out of everything when the business revokes globally", state: textState{global: true}, body: "STOP OFFERS",
			reply: []string{"unsubscribed"}, decisions: []string{"opt_out order_updates keyword STOP OFFERS", "opt_out offers keyword STOP OFFERS", "opt_out restock keyword STOP OFFERS"}},
		{name: "STOP after opting out of offers stops the rest only", state: textState{optedOut: []string{"offers"}}, body: "STOP",
			reply: []string{"unsubscribed"}, decisions: []string{"opt_out order_updates keyword STOP", "opt_out restock keyword STOP"}},
		{name: "please stop texting me opts out of everything as natural language", body: "Please stop texting me",
			reply: []string{"unsubscribed"}, decisions: []string{"opt_out order_updates natural_language Please stop texting me", "opt_out offers natural_language Please stop texting me", "opt_out restock natural_language Please stop texting me"}},
		{name: "STOP clears a pending disclosure", state: textState{pending: []string{"OFFERS"}, optedOut: everything}, body: "STOP", changed: true},
		{name: "STOP ORDERS leaves a pending offers disclosure alone", state: textState{pending: []string{"OFFERS"}}, body: "STOP ORDERS",
			reply: []string{"no longer get order updates"}, decisions: []string{"opt_out order_updates keyword STOP ORDERS"}, pending: []string{"offers"}},
		{name: "HELP answers with brand, rates, STOP and contact", body: "help",
			reply: []string{"Acme Outdoor on WhatsApp:", "Text ORDERS, OFFERS, or RESTOCK to join, STOP to opt out.", "Msg & data rates may apply.", "Call 1-800-555-0100"}},
		{name: "HELP is answered even to someone opted out of everything", state: textState{optedOut: everything}, body: "AYUDA", reply: []string{"Msg & data rates may apply"}},
		{name: "an ordinary message gets the short menu", body: "hi there", reply: []string{"Acme Outdoor: text ORDERS, OFFERS, or RESTOCK to get WhatsApp messages, HELP for help, STOP to opt out."}},
		{name: "someone opted out of everything who says hi gets nothing", state: textState{optedOut: everything}, body: "hi"},
		{name: "someone opted out of some categories who says hi gets the menu", state: textState{optedOut: []string{"offers"}}, body: "hi", reply: []string{"text ORDERS"}},
		{name: "an ordinary message never opts in, even with a disclosure pending", state: textState{pending: []string{"OFFERS"}}, body: "sounds good", reply: []string{"text ORDERS"}, pending: []string{"offers"}},
		{name: "a WhatsApp YES button opts in with reason button", state: textState{channel: consent.ChannelWhatsApp, pending: []string{"OFFERS"}, payload: "YES", button: "Yes"}, body: "Yes",
			reply: []string{"subscribed to offers"}, decisions: []string{"opt_in offers button YES"}, changed: true},
		{name: "a WhatsApp button with an opaque payload is read by its text", state: textState{channel: consent.ChannelWhatsApp, pending: []string{"OFFERS"}, payload: "btn_1", button: "Yes, please"}, body: "Yes, please",
			reply: []string{"subscribed"}, decisions: []string{"opt_in offers button Yes, please"}, changed: true},
		{name: "a WhatsApp Stop promotions button opts out of marketing only, not order updates", state: textState{channel: consent.ChannelWhatsApp, optedIn: everything, button: "Stop promotions"}, body: "Stop promotions",
			reply: []string{"no longer get offers and promotions and back-in-stock alerts"}, decisions: []string{"opt_out offers button Stop promotions", "opt_out restock button Stop promotions"}},
		{name: "a Stop promotions payload in any case is the same button", state: textState{channel: consent.ChannelWhatsApp, optedIn: everything, payload: "stop promotions", button: "Unsubscribe me"}, body: "Unsubscribe me",
			reply: []string{"no longer get offers"}, decisions: []string{"opt_out offers button stop promotions", "opt_out restock button stop promotions"}},
		{name: "Stop promotions stops everything where any opt-out revokes everything", state: textState{channel: consent.ChannelWhatsApp, optedIn: everything, global: true, button: "Stop promotions"}, body: "Stop promotions",
			reply: []string{"unsubscribed"}, decisions: []string{"opt_out order_updates button Stop promotions", "opt_out offers button Stop promotions", "opt_out restock button Stop promotions"}},
		{name: "a WhatsApp keyword sends a WhatsApp disclosure", state: textState{channel: consent.ChannelWhatsApp}, body: "restock",
			reply: []string{"back-in-stock alerts"}, pending: []string{"restock"}, changed: true},
		{name: "Twilio's STOP hint opts out of everything with no reply of ours", state: textState{hint: "STOP", optedIn: []string{"offers"}}, body: "STOP",
			decisions: []string{"opt_out order_updates provider_opt_out STOP", "opt_out offers provider_opt_out STOP", "opt_out restock provider_opt_out STOP"}},
		{name: "Twilio's START hint with YES to a pending disclosure still opts in, silently", state: textState{hint: "start", pending: []string{"OFFERS"}}, body: "YES",
			decisions: []string{"opt_in offers keyword YES"}, changed: true},
		{name: "Twilio's START hint with nothing pending sends and remembers nothing", state: textState{hint: "START"}, body: "START"},
		{name: "Twilio's HELP hint sends no reply of ours", state: textState{hint: "HELP"}, body: "HELP"},
		{name: "a one-category business asks about its only category on START", state: textState{oneCateg: true}, body: "START",
			reply: []string{"order updates"}, pending: []string{"order_updates"}, changed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.state.input(t, tt.body)
			out := HandleMessage(in)
			rest := out.Reply
			for _, s := range tt.reply {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("reply lacks %q (in order); reply:\n%s", s, out.Reply)
				}
				rest = rest[i+len(s):]
			}
			if tt.reply == nil && out.Reply != "" {
				t.Errorf("replied %q, want no reply", out.Reply)
			}
			if !FitsReply(out.Reply) {
				t.Errorf("reply takes more than two segments: %q", out.Reply)
			}
			var got []string
			for _, d := range out.Decisions {
				got = append(got, fmt.Sprintf("%s %s %s %s", d.Action, d.Category, d.Reason, d.Input))
				if d.Action == consent.ActionOptIn && (d.Disclosure == nil || *d.Disclosure != in.Pending.Disclosure) {
					t.Errorf("opt-in evidence %+v is not the disclosure sent", d.Disclosure)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.decisions, "|") {
				t.Errorf("decisions %q, want %q", got, tt.decisions)
			}
			var pending []string
			if out.Pending != nil {
				pending = out.Pending.Categories
			}
			if !slices.Equal(pending, tt.pending) {
				t.Errorf("pending %v, want %v", pending, tt.pending)
			}
			if out.PendingChanged != (tt.changed || (tt.pending != nil && (in.Pending == nil || !slices.Equal(in.Pending.Categories, tt.pending)))) {
				t.Errorf("pending changed = %v", out.PendingChanged)
			}
		})
	}
}

func TestANewDisclosureIsPendingFor24Hours(t *testing.T) {
	out := HandleMessage(textState{}.input(t, "OFFERS"))
	p := out.Pending
	if p == nil || !p.ExpiresAt.Equal(textTime.Add(24*time.Hour)) || p.Channel != consent.ChannelSMS {
		t.Fatalf("pending %+v", p)
	}
	if p.Disclosure != consent.NewDisclosure("acme", consent.ChannelSMS, "en-US", out.Reply) {
		t.Errorf("the pending disclosure is not the text sent: %+v", p.Disclosure)
	}
	if !p.Active(textTime.Add(24*time.Hour-time.Second)) || p.Active(textTime.Add(24*time.Hour)) {
		t.Error("the disclosure is not pending for exactly 24 hours")
	}
}

func TestEveryReplyInSpanishFitsTwoSegments(t *testing.T) {
	for _, body := range []string{"OFFERS", "START", "HELP", "hola", "STOP OFFERS", "STOP"} {
		in := textState{}.input(t, body)
		in.Business.Language = "es-US"
		out := HandleMessage(in)
		if out.Reply == "" || !FitsReply(out.Reply) {
			t.Errorf("%s: reply %q", body, out.Reply)
		}
		if n, ucs2 := Segments(out.Reply); ucs2 {
			t.Errorf("%s: reply needs UCS-2 (%d segments): %q", body, n, out.Reply)
		}
	}
}
