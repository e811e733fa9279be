package flows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/optin/optin/consent"
)

// FuzzHandleMessage checks, for any message and sender state, that the SMS machine never panics,
// never opts anyone in without a disclosure pending for that category (with that disclosure as
// evidence), never answers beyond two segments, and stays silent when Twilio has answered.
func FuzzHandleMessage(f *testing.F) {
	for _, s := range []string{"YES", "yes offers", "OFFERS", "STOP", "stop offers", "please stop texting me", "HELP", "hi",
		"Sí", "ЅТОР", "YES ALL", "START", "opt-out", "y", "STOP ALL", "NO MÁS", "👍", ""} {
		f.Add(s, "", "", uint8(0), uint8(0), uint8(0), false, "")
		f.Add(s, s, "", uint8(3), uint8(1), uint8(6), true, "")
		f.Add(s, "", s, uint8(7), uint8(2), uint8(0), false, "START")
	}
	f.Add("STOP", "", "", uint8(1), uint8(0), uint8(0), true, "STOP")
	b := acme(f)
	f.Fuzz(func(t *testing.T, body, payload, button string, pendingMask, optedOutMask, optedInMask uint8, whatsapp bool, hint string) {
		in := MessageInput{Business: b, Phone: texter, Channel: consent.ChannelSMS, Text: body, ButtonPayload: payload,
			ButtonText: button, OptOutType: hint, Now: textTime}
		if whatsapp {
			in.Channel = consent.ChannelWhatsApp
		}
		var pendingKeys []string
		for i, c := range b.Categories {
			if pendingMask&(1<<i) != 0 {
				pendingKeys = append(pendingKeys, c.Key)
			}
			switch {
			case optedOutMask&(1<<i) != 0:
				in.Consents = append(in.Consents, consent.Consent{Category: c.Key, Status: consent.StatusOptedOut})
			case optedInMask&(1<<i) != 0:
				in.Consents = append(in.Consents, consent.Consent{Category: c.Key, Status: consent.StatusOptedIn})
			}
		}
		if len(pendingKeys) > 0 {
			expires := textTime.Add(time.Hour)
			if pendingMask&0x80 != 0 {
				expires = textTime.Add(-time.Second)
			}
			in.Pending = &consent.Pending{Categories: pendingKeys, Channel: in.Channel, ExpiresAt: expires,
				Disclosure: consent.NewDisclosure(b.ID, in.Channel, "en-US", "the disclosure sent")}
		}
		out := HandleMessage(in)
		if !FitsReply(out.Reply) {
			t.Fatalf("reply over two segments: %q", out.Reply)
		}
		if strings.TrimSpace(in.OptOutType) != "" && out.Reply != "" {
			t.Fatalf("replied %q although Twilio answered (%s)", out.Reply, in.OptOutType)
		}
		for _, d := range out.Decisions {
			if _, ok := b.Category(d.Category); !ok {
				t.Fatalf("decision for unknown category %q", d.Category)
			}
			if d.Action != consent.ActionOptIn {
				continue
			}
			if !in.Pending.Active(in.Now) || !slices.Contains(in.Pending.Categories, d.Category) {
				t.Fatalf("opted in to %s without a pending disclosure for it (pending %+v)", d.Category, in.Pending)
			}
			if d.Disclosure == nil || *d.Disclosure != in.Pending.Disclosure {
				t.Fatalf("opt-in evidence %+v is not the pending disclosure", d.Disclosure)
			}
		}
		if out.PendingChanged && out.Pending != nil && out.Pending.Disclosure != (consent.Disclosure{}) &&
			(in.Pending == nil || out.Pending.Disclosure != in.Pending.Disclosure) && out.Reply != out.Pending.Disclosure.Text {
			t.Fatalf("a new disclosure became pending without being sent: reply %q", out.Reply)
		}
	})
}
