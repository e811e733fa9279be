package flows

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/optin/optin/consent"
)

const caller = "+14155550123"

var callTime = time.Date(2025, time.June, 2, 15, 4, 5, 0, time.UTC)

func TestIVRStep(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(b *consent.Business)
		in        IVRInput
		say       []string // each must be spoken, in this order
		next      string   // "" means the call ends
		decisions []string // "opt_in offers" …
		restarted bool
	}{
		{name: "a new call hears who is calling and the menu",
			in:   IVRInput{},
			say:  []string{"Thank you for calling Acme Outdoor", "ending in 0 1 2 3", "For order updates, press 1.", "For back-in-stock alerts, press 3.", "For all of them, press 9.", "To stop messages, press 0"},
			next: "v1.m.0.a0.r0"},
		{name: "pressing a category's digit speaks its disclosure",
			in:   IVRInput{Step: "v1.m.0.a0.r0", Digits: "2"},
			say:  []string{"By pressing 1, you agree to receive WhatsApp messages from Acme Outdoor at the number ending in 0 1 2 3: offers and promotions, up to 4 messages a month.", "texting STOP OFFERS"},
			next: "v1.d.2.a0.r0"},
		{name: "pressing 9 speaks the disclosure of every category",
			in:   IVRInput{Step: "v1.m.0.a0.r0", Digits: "9"},
			say:  []string{"order updates, up to 5 messages per order; offers and promotions, up to 4 messages a month; and back-in-stock alerts"},
			next: "v1.d.9.a0.r0"},
		{name: "9 is not a choice when the business has one category",
			edit: func(b *consent.Business) { b.Categories = b.Categories[:1] },
			in:   IVRInput{Step: "v1.m.0.a0.r0", Digits: "9"},
			say:  []string{"Sorry, that is not one of the choices.", "For order updates, press 1. To stop messages"},
			next: "v1.m.0.a0.r0"},
		{name: "the one-category menu offers no 9",
			edit: func(b *consent.Business) { b.Categories = b.Categories[:1] },
			in:   IVRInput{Step: "v1.m.0.a0.r0", Digits: "*"},
			say:  []string{"For order updates, press 1. To stop messages, press 0."},
			next: "v1.m.0.a0.r0"},
		{name: "pressing 1 in a disclosure agrees and returns to the menu",
			in:        IVRInput{Step: "v1.d.2.a0.r0", Digits: "1"},
			say:       []string{"Thank you. You will get offers and promotions from Acme Outdoor on WhatsApp.", "For order updates, press 1."},
			next:      "v1.m.0.a0.r1",
			decisions: []string{"opt_in offers keypress 1"}},
		{name: "pressing 1 in the disclosure of all agrees to every category",
			in:        IVRInput{Step: "v1.d.9.a1.r3", Digits: "1"},
			say:       []string{"You will get order updates, offers and promotions, and back-in-stock alerts"},
			next:      "v1.m.0.a0.r4",
			decisions: []string{"opt_in order_updates keypress 1", "opt_in offers keypress 1", "opt_in restock keypress 1"}},
		{name: "pressing 2 in a disclosure goes back without recording",
			in:   IVRInput{Step: "v1.d.2.a0.r0", Digits: "2"},
			say:  []string{"For order updates, press 1."},
			next: "v1.m.0.a0.r0"},
		{name: "star repeats a disclosure",
			in:   IVRInput{Step: "v1.d.3.a2.r0", Digits: "*"},
			say:  []string{"back-in-stock alerts, up to 2 messages a week"},
			next: "v1.d.3.a0.r0"},
		{name: "star repeats the menu",
			in:   IVRInput{Step: "v1.m.0.a1.r0", Digits: "*"},
			say:  []string{"For order updates, press 1."},
			next: "v1.m.0.a0.r0"},
		{name: "an invalid key in a disclosure says so and repeats it",
			in:   IVRInput{Step: "v1.d.2.a1.r0", Digits: "7"},
			say:  []string{"Sorry, that is not one of the choices.", "offers and promotions, up to 4 messages a month"},
			next: "v1.d.2.a1.r0"},
		{name: "an unused digit on the menu is invalid",
			in:   IVRInput{Step: "v1.m.0.a0.r0", Digits: "5"},
			say:  []string{"Sorry, that is not one of the choices.", "For order updates, press 1."},
			next: "v1.m.0.a0.r0"},
		{name: "several digits at once are invalid",
			in:   IVRInput{Step: "v1.m.0.a0.r0", Digits: "12"},
			say:  []string{"Sorry, that is not one of the choices."},
			next: "v1.m.0.a0.r0"},
		{name: "0 opens the stop menu",
			in:   IVRInput{Step: "v1.m.0.a0.r0", Digits: "0"},
			say:  []string{"To stop order updates, press 1.", "To stop all WhatsApp messages from Acme Outdoor, press 9.", "To hear this again, press star."},
			next: "v1.s.0.a0.r0"},
		{name: "a category's digit in the stop menu stops that category at once",
			in:        IVRInput{Step: "v1.s.0.a0.r0", Digits: "2"},
			say:       []string{"Done. You will no longer get offers and promotions from Acme Outdoor on WhatsApp.", "For order updates, press 1."},
			next:      "v1.m.0.a0.r1",
			decisions: []string{"opt_out offers keypress 2"}},
		{name: "9 in the stop menu stops every category",
			in:        IVRInput{Step: "v1.s.0.a0.r0", Digits: "9"},
			next:      "v1.m.0.a0.r1",
			decisions: []string{"opt_out order_updates keypress 9", "opt_out offers keypress 9", "opt_out restock keypress 9"}},
		{name: "a global business stops every category from one digit",
			edit:      func(b *consent.Business) { b.Revocation = consent.RevocationGlobal },
			in:        IVRInput{Step: "v1.s.0.a0.r0", Digits: "1"},
			next:      "v1.m.0.a0.r1",
			decisions: []string{"opt_out order_updates keypress 1", "opt_out offers keypress 1", "opt_out restock keypress 1"}},
		{name: "star repeats the stop menu", in: IVRInput{Step: "v1.s.0.a0.r0", Digits: "*"}, say: []string{"To stop order updates"}, next: "v1.s.0.a0.r0"},
		{name: "an invalid key in the stop menu records nothing", in: IVRInput{Step: "v1.s.0.a0.r0", Digits: "6"}, say: []string{"Sorry"}, next: "v1.s.0.a0.r0"},
		{name: "silence reprompts the same step",
			in:   IVRInput{Step: "v1.d.2.a0.r0", Timeout: true},
			say:  []string{"Sorry, we did not hear a choice.", "offers and promotions"},
			next: "v1.d.2.a1.r0"},
		{name: "# alone is silence, never consent",
			in:   IVRInput{Step: "v1.d.2.a0.r0", Digits: "#"},
			say:  []string{"Sorry, we did not hear a choice."},
			next: "v1.d.2.a1.r0"},
		{name: "empty digits are silence",
			in:   IVRInput{Step: "v1.m.0.a1.r0", Digits: ""},
			next: "v1.m.0.a2.r0"},
		{name: "a timeout wins over stray digits",
			in:   IVRInput{Step: "v1.d.2.a0.r0", Digits: "1", Timeout: true},
			next: "v1.d.2.a1.r0"},
		{name: "a third silence says no changes were made and hangs up",
			in:  IVRInput{Step: "v1.d.2.a2.r0", Timeout: true},
			say: []string{"No changes were made. Goodbye."}},
		{name: "a third silence after a recording says goodbye",
			in:  IVRInput{Step: "v1.m.0.a2.r1", Timeout: true},
			say: []string{"Thank you for calling Acme Outdoor. Goodbye."}},
		{name: "a withheld caller is told how to opt in and nothing is recorded",
			in:  IVRInput{Withheld: true, Step: "v1.d.2.a0.r0", Digits: "1"},
			say: []string{"Your number is hidden", "text ORDERS, OFFERS, or RESTOCK to this number"}},
		{name: "a caller with no number is treated as withheld",
			in:  IVRInput{Caller: "-", Digits: "1", Step: "v1.d.2.a0.r0"},
			say: []string{"Your number is hidden"}},
		{name: "a machine is told how to opt in and nothing is recorded",
			in:  IVRInput{Machine: true},
			say: []string{"This is Acme Outdoor.", "call this number back or text ORDERS, OFFERS, or RESTOCK to it"}},
		{name: "a tampered token restarts at the menu and records nothing",
			in:        IVRInput{Step: "v1.d.2.a0.r0x", Digits: "1"},
			say:       []string{"Thank you for calling Acme Outdoor"},
			next:      "v1.m.0.a0.r0",
			restarted: true},
		{name: "an unknown token version restarts at the menu",
			in: IVRInput{Step: "v2.d.2.a0.r0", Digits: "1"}, next: "v1.m.0.a0.r0", restarted: true},
		{name: "a disclosure of a category that no longer exists restarts at the menu",
			in: IVRInput{Step: "v1.d.5.a0.r0", Digits: "1"}, next: "v1.m.0.a0.r0", restarted: true},
		{name: "a token with too many silences restarts at the menu",
			in: IVRInput{Step: "v1.m.0.a3.r0", Timeout: true}, next: "v1.m.0.a0.r0", restarted: true},
		{name: "a token with leading zeros restarts at the menu",
			in: IVRInput{Step: "v1.d.02.a0.r0", Digits: "1"}, next: "v1.m.0.a0.r0", restarted: true},
		{name: "a menu token carrying a digit restarts at the menu",
			in: IVRInput{Step: "v1.s.2.a0.r0", Digits: "9"}, next: "v1.m.0.a0.r0", restarted: true},
		{name: "an unknown screen restarts at the menu",
			in: IVRInput{Step: "v1.x.0.a0.r0", Digits: "1"}, next: "v1.m.0.a0.r0", restarted: true},
		{name: "9 as a disclosure of one category restarts at the menu",
			edit: func(b *consent.Business) { b.Categories = b.Categories[:1] },
			in:   IVRInput{Step: "v1.d.9.a0.r0", Digits: "1"}, next: "v1.m.0.a0.r0", restarted: true},
		{name: "a very long token restarts at the menu",
			in: IVRInput{Step: "v1.d.2.a0.r0" + strings.Repeat("0", 40), Digits: "1"}, next: "v1.m.0.a0.r0", restarted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := acme(t)
			if tt.edit != nil {
				tt.edit(&b)
			}
			in := tt.in
			in.Business, in.Now = b, callTime
			if in.Caller == "" && !in.Withheld {
				in.Caller = caller
			} else if in.Caller == "-" {
				in.Caller = ""
			}
			out := IVRStep(in)
			spoken := ""
			for _, p := range out.Prompts {
				if p.Language != "en-US" {
					t.Errorf("prompt in %q, want en-US", p.Language)
				}
				spoken += p.Text + " "
			}
			rest := spoken
			for _, s := range tt.say {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("did not say %q (in order); said:\n%s", s, spoken)
				}
				rest = rest[i+len(s):]
			}
			if out.Next != tt.next || out.Hangup != (tt.next == "") || (out.Gather != nil) != (tt.next != "") {
				t.Errorf("next %q hangup %v gather %v; want next %q", out.Next, out.Hangup, out.Gather, tt.next)
			}
			if out.Restarted != tt.restarted {
				t.Errorf("restarted = %v, want %v", out.Restarted, tt.restarted)
			}
			var got []string
			for _, d := range out.Decisions {
				got = append(got, fmt.Sprintf("%s %s %s %s", d.Action, d.Category, d.Reason, d.Input))
				if !d.OccurredAt.Equal(callTime) {
					t.Errorf("decision at %v, want %v", d.OccurredAt, callTime)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.decisions, "|") {
				t.Errorf("decisions %q, want %q", got, tt.decisions)
			}
		})
	}
}

func TestIVROptInKeepsTheExactDisclosureSpoken(t *testing.T) {
	b := acme(t)
	asked := IVRStep(IVRInput{Business: b, Caller: caller, Step: "v1.m.0.a0.r0", Digits: "2", Now: callTime})
	agreed := IVRStep(IVRInput{Business: b, Caller: caller, Step: asked.Next, Digits: "1", Now: callTime})
	if len(agreed.Decisions) != 1 || agreed.Decisions[0].Disclosure == nil {
		t.Fatalf("decisions %+v, want one opt-in with its disclosure", agreed.Decisions)
	}
	d := agreed.Decisions[0].Disclosure
	want := consent.NewDisclosure("acme", consent.ChannelIVR, "en-US", asked.Prompts[len(asked.Prompts)-1].Text)
	if *d != want {
		t.Errorf("disclosure %+v, want the text spoken %+v", *d, want)
	}
	if strings.Contains(d.Text, "555") || strings.Contains(d.Text, "4155550123") {
		t.Errorf("the disclosure says more of the number than its last four digits: %s", d.Text)
	}
}

func TestIVRSpeaksSpanishForASpanishBusiness(t *testing.T) {
	b := acme(t)
	b.Language = "es-US"
	out := IVRStep(IVRInput{Business: b, Caller: caller, Now: callTime})
	if out.Prompts[0].Language != "es-US" || !strings.Contains(out.Prompts[0].Text, "Gracias por llamar a Acme Outdoor") {
		t.Errorf("prompts %+v", out.Prompts)
	}
	if !strings.Contains(out.Prompts[1].Text, "Para offers and promotions, marque 2.") {
		t.Errorf("menu %q", out.Prompts[1].Text)
	}
}

func TestDecisionEvent(t *testing.T) {
	disc := consent.NewDisclosure("acme", consent.ChannelIVR, "en-US", "text")
	d := Decision{Action: consent.ActionOptIn, Category: "offers", Reason: consent.ReasonKeypress, Input: "1", Disclosure: &disc, OccurredAt: callTime}
	e := d.Event(consent.Event{BusinessID: "acme", Phone: caller, Channel: consent.ChannelIVR, ProviderRef: "CA1", IdempotencyKey: "k"})
	if e.Category != "offers" || e.Action != consent.ActionOptIn || e.Reason != consent.ReasonKeypress || e.Input != "1" ||
		!e.OccurredAt.Equal(callTime) || e.BusinessID != "acme" || e.ProviderRef != "CA1" || e.IdempotencyKey != "k" {
		t.Errorf("event %+v", e)
	}
	if e.Disclosure == nil || e.Disclosure == &disc || *e.Disclosure != disc {
		t.Errorf("event disclosure %+v is not a copy of the decision's", e.Disclosure)
	}
}
