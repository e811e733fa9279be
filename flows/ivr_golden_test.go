package flows

import (
	"fmt"
	"testing"
)

// TestCallConversations plays whole calls key by key and compares what was said and recorded
// with the golden files in fixtures/flows.
func TestCallConversations(t *testing.T) {
	calls := []struct {
		name     string
		title    string
		withheld bool
		keys     []string // "" is silence
	}{
		{"call-menu-2-1", "a caller picks offers, agrees, then stays silent", false, []string{"2", "1", "", "", ""}},
		{"call-all-via-9", "a caller agrees to every category with 9", false, []string{"9", "1", "", "", ""}},
		{"call-silence-three-times", "a caller says nothing three times", false, []string{"", "", ""}},
		{"call-invalid-key", "a caller presses keys that are not choices", false, []string{"7", "2", "5", "#", "2", "", "", ""}},
		{"call-stop-menu", "a caller stops offers, then everything", false, []string{"0", "2", "0", "9", "", "", ""}},
		{"call-withheld", "a caller hides their number", true, nil},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			b := acme(t)
			var tr transcript
			tr.line("# %s", c.title)
			who := caller
			if c.withheld {
				who = "a withheld number"
			}
			tr.line("# %s calls %s (%s)", who, b.Name, b.ID)
			in := IVRInput{Business: b, Caller: caller, Withheld: c.withheld, Now: callTime}
			out := IVRStep(in)
			tr.line("\n> the call starts")
			writeIVR(&tr, out)
			for _, k := range c.keys {
				if out.Hangup {
					t.Fatalf("the call ended before key %q", k)
				}
				in.Step, in.Digits, in.Timeout = out.Next, k, k == ""
				if k == "" {
					tr.line("\n> silence                            [step %s]", in.Step)
				} else {
					tr.line("\n> presses %-26s [step %s]", k, in.Step)
				}
				out = IVRStep(in)
				writeIVR(&tr, out)
			}
			if !out.Hangup {
				t.Fatal("the call did not end")
			}
			checkGolden(t, c.name, tr.String())
		})
	}
}

func writeIVR(tr *transcript, out IVROutput) {
	for _, d := range out.Decisions {
		disc := "no disclosure"
		if d.Disclosure != nil {
			disc = fmt.Sprintf("disclosure %s %s sha256:%s", d.Disclosure.Channel, d.Disclosure.Language, d.Disclosure.SHA256[:12])
		}
		tr.line("< RECORD %s %s (reason %s, input %q, %s)", d.Action, d.Category, d.Reason, d.Input, disc)
	}
	for _, p := range out.Prompts {
		tr.line("< say [%s] %s", p.Language, p.Text)
	}
	if out.Gather != nil {
		tr.line("< gather %d key, %d s timeout, next step %s", out.Gather.NumDigits, out.Gather.TimeoutSeconds, out.Next)
	}
	if out.Hangup {
		tr.line("< hang up")
	}
}
