package flows

import (
	"strconv"
	"strings"
	"time"

	"github.com/optin/optin/consent"
)

// IVRInput is one request of a call: the call starting, or the answer to a Gather.
type IVRInput struct {
	Business consent.Business // the business whose number was called
	Caller   string           // the caller's number in E.164, already validated; ignored when Withheld
	Withheld bool             // caller ID withheld or not a usable number: nothing may be recorded
	Machine  bool             // a machine or fax answered (AnsweredBy machine_* or fax): nothing may be recorded
	Step     string           // the step token from the action URL; empty when the call starts
	Digits   string           // the keys pressed; empty or "#" alone is no answer
	Timeout  bool             // the Gather ended in silence (the redirect after it carries the timeout marker)
	Now      time.Time        // when the request arrived; becomes the time of the decisions
}

// IVROutput is what to do next in the call.
type IVROutput struct {
	// Prompts are spoken in order. When Gather is set they go inside it, so a caller may press
	// a key while they play.
	Prompts []Prompt
	// Gather says how to collect the next key; nil when the call ends.
	Gather *Gather
	// Next is the step token of the Gather's action URL and of the timeout redirect after it;
	// empty when the call ends. It is short, URL-safe and versioned, e.g. "v1.d.2.a0.r0".
	Next string
	// Hangup ends the call after the prompts.
	Hangup bool
	// Decisions are to be recorded, in order, before the answer is sent. CallSid + the input's
	// Step + Decision.Category is unique per decision within a call, so it serves as the
	// idempotency key.
	Decisions []Decision
	// Restarted reports that the input's step token was not valid for this business (tampered,
	// unknown version or a category that no longer exists): the call went back to the menu and
	// nothing was recorded.
	Restarted bool
}

// Prompt is one text to speak.
type Prompt struct {
	Text     string // what to say
	Language string // the language to say it in, e.g. en-US
}

// Gather is how to collect the caller's next key.
type Gather struct {
	NumDigits      int // keys to collect: always 1
	TimeoutSeconds int // seconds of silence after the prompts before the timeout redirect
}

// IVRStep runs one step of the IVR of DESIGN §4. The menu offers each category on its digit,
// 9 for all of them (only when there are several), 0 for the stop menu and star to repeat.
// Choosing a category speaks its disclosure, where 1 records opt_in with the exact text spoken
// as evidence and 2 goes back; the stop menu records opt_out of a category on its digit (of every
// category when the business revokes globally at the time of the call) or of all on 9. Both return to the menu. Silence
// (a timeout, no digits or "#" alone) reprompts the same step at most twice and then hangs up
// saying no changes were made (or goodbye, when something was recorded); an invalid key says so
// and repeats the step. A withheld caller or a machine is told how to opt in and nothing is
// recorded. A step token that does not decode for this business restarts at the menu.
func IVRStep(in IVRInput) IVROutput {
	c := call{in: in, t: newTexts(in.Business, in.Business.Language)}
	switch {
	case in.Machine:
		return c.end(MsgVoiceMachine)
	case in.Withheld || in.Caller == "":
		return c.end(MsgVoiceWithheld)
	case in.Step == "":
		return c.ask(ivrStep{screen: screenMenu}, c.say(MsgVoiceGreeting, nil))
	}
	st, ok := parseStep(in.Step, in.Business)
	if !ok {
		out := c.ask(ivrStep{screen: screenMenu}, c.say(MsgVoiceGreeting, nil))
		out.Restarted = true
		return out
	}
	key := strings.TrimRight(strings.TrimSpace(in.Digits), "#")
	if in.Timeout || key == "" {
		return c.silence(st)
	}
	switch st.screen {
	case screenMenu:
		return c.onMenu(st, key)
	case screenDisclosure:
		return c.onDisclosure(st, key)
	default:
		return c.onStopMenu(st, key)
	}
}

// call is one request of a call being answered.
type call struct {
	in IVRInput
	t  texts
}

func (c call) onMenu(st ivrStep, key string) IVROutput {
	switch key {
	case "*":
		return c.ask(ivrStep{screen: screenMenu, rounds: st.rounds})
	case "0":
		return c.ask(ivrStep{screen: screenStopMenu, rounds: st.rounds})
	}
	if d, ok := singleDigit(key); ok && len(stepCategories(c.in.Business, d)) > 0 {
		return c.ask(ivrStep{screen: screenDisclosure, digit: d, rounds: st.rounds})
	}
	return c.invalid(st)
}

func (c call) onDisclosure(st ivrStep, key string) IVROutput {
	switch key {
	case "1":
		cats := stepCategories(c.in.Business, st.digit)
		disc := consent.NewDisclosure(c.in.Business.ID, consent.ChannelIVR, c.t.tag, c.t.voiceDisclosure(cats, c.in.Caller))
		out := c.ask(c.afterRecording(st), c.say(MsgVoiceConfirm, cats))
		out.Decisions = decide(consent.ActionOptIn, cats, consent.ReasonKeypress, key, &disc, c.in.Now)
		return out
	case "2":
		return c.ask(ivrStep{screen: screenMenu, rounds: st.rounds})
	case "*":
		return c.ask(ivrStep{screen: screenDisclosure, digit: st.digit, rounds: st.rounds})
	}
	return c.invalid(st)
}

func (c call) onStopMenu(st ivrStep, key string) IVROutput {
	if key == "*" {
		return c.ask(ivrStep{screen: screenStopMenu, rounds: st.rounds})
	}
	d, ok := singleDigit(key)
	cats := stepCategories(c.in.Business, d)
	if !ok || len(cats) == 0 {
		return c.invalid(st)
	}
	if c.in.Business.RevokesGlobally(c.in.Now) {
		cats = c.in.Business.Categories
	}
	out := c.ask(c.afterRecording(st), c.say(MsgVoiceStopConfirm, cats))
	out.Decisions = decide(consent.ActionOptOut, cats, consent.ReasonKeypress, key, nil, c.in.Now)
	return out
}

// afterRecording is the menu the call returns to once a step recorded something.
func (c call) afterRecording(st ivrStep) ivrStep {
	return ivrStep{screen: screenMenu, rounds: min(st.rounds+1, maxRounds)}
}

func (c call) silence(st ivrStep) IVROutput {
	if st.attempt >= maxReprompts {
		if st.rounds > 0 {
			return c.end(MsgVoiceGoodbye)
		}
		return c.end(MsgVoiceNoChanges)
	}
	st.attempt++
	return c.ask(st, c.say(MsgVoiceNoInput, nil))
}

func (c call) invalid(st ivrStep) IVROutput {
	return c.ask(st, c.say(MsgVoiceInvalid, nil))
}

// ask speaks before, then the prompt of the step, and waits for a key.
func (c call) ask(st ivrStep, before ...Prompt) IVROutput {
	return IVROutput{
		Prompts: append(before, c.prompt(c.screenText(st))),
		Gather:  &Gather{NumDigits: 1, TimeoutSeconds: GatherTimeoutSeconds},
		Next:    st.token(),
	}
}

// end speaks one message and hangs up.
func (c call) end(name string) IVROutput {
	return IVROutput{Prompts: []Prompt{c.say(name, nil)}, Hangup: true}
}

func (c call) screenText(st ivrStep) string {
	b := c.in.Business
	switch st.screen {
	case screenDisclosure:
		return c.t.voiceDisclosure(stepCategories(b, st.digit), c.in.Caller)
	case screenStopMenu:
		return c.menuText(MsgVoiceStopMenuOption, MsgVoiceStopMenuAll, MsgVoiceStopMenuEnd)
	}
	return c.menuText(MsgVoiceMenuOption, MsgVoiceMenuAll, MsgVoiceMenuEnd)
}

// menuText is one line per category, the line for all of them when there are several, and the
// closing line.
func (c call) menuText(option, all, end string) string {
	cats := c.in.Business.Categories
	lines := make([]string, 0, len(cats)+2)
	for _, cat := range cats {
		v := c.t.common([]consent.Category{cat})
		v["label"], v["digit"], v["keyword"], v["frequency"] = cat.Label, strconv.Itoa(cat.Digit), cat.Keyword, cat.Frequency
		lines = append(lines, c.t.render(option, v))
	}
	if len(cats) > 1 {
		lines = append(lines, c.t.render(all, c.t.common(cats)))
	}
	lines = append(lines, c.t.render(end, c.t.common(cats)))
	return strings.Join(lines, " ")
}

// say renders a voice message about cats (all categories when nil).
func (c call) say(name string, cats []consent.Category) Prompt {
	if cats == nil {
		cats = c.in.Business.Categories
	}
	v := c.t.common(cats)
	v["last4"] = spokenLast4(c.in.Caller)
	return c.prompt(c.t.render(name, v))
}

func (c call) prompt(text string) Prompt {
	return Prompt{Text: text, Language: c.t.tag}
}

func singleDigit(key string) (int, bool) {
	if len(key) != 1 || key[0] < '0' || key[0] > '9' {
		return 0, false
	}
	return int(key[0] - '0'), true
}
