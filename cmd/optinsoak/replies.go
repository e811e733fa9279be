package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/flows"
)

// replies are the words that tell a person their choice was recorded, taken from the flows
// that decide them, so the soak recognises an acknowledgement without copying any text.
type replies struct {
	stopAll    string            // SMS: STOP from a phone with nothing recorded
	stopOne    map[string]string // SMS: STOP KEYWORD, by category key
	disclosure map[string]string // SMS: KEYWORD, by category key
	optedIn    map[string]string // SMS: YES to that disclosure, by category key
	ivrStopped map[int]string    // voice: spoken first after the stop menu's digit (9 is all)
	ivrOptedIn map[int]string    // voice: spoken first after 1 agrees to a category's disclosure
}

// replyPhone is the phone the expected replies are computed for; none of them names it.
const replyPhone = "+13125550123"

// expectedReplies runs the flows for the business once per choice.
func expectedReplies(b consent.Business) (replies, error) {
	r := replies{stopOne: map[string]string{}, disclosure: map[string]string{}, optedIn: map[string]string{},
		ivrStopped: map[int]string{}, ivrOptedIn: map[int]string{}}
	now := time.Now()
	sms := func(text string, pending *consent.Pending) flows.MessageOutput {
		return flows.HandleMessage(flows.MessageInput{Business: b, Phone: replyPhone, Channel: consent.ChannelSMS,
			Text: text, Pending: pending, Now: now})
	}
	r.stopAll = sms("STOP", nil).Reply
	for _, c := range b.Categories {
		r.stopOne[c.Key] = sms("STOP "+c.Keyword, nil).Reply
		asked := sms(c.Keyword, nil)
		r.disclosure[c.Key] = asked.Reply
		r.optedIn[c.Key] = sms("YES", asked.Pending).Reply
	}
	digits := []int{9}
	for _, c := range b.Categories {
		digits = append(digits, c.Digit)
	}
	for _, d := range digits {
		stopped, err := ivrSays(b, now, "0", strconv.Itoa(d))
		if err != nil {
			return r, err
		}
		r.ivrStopped[d] = stopped
		if d != 9 {
			if r.ivrOptedIn[d], err = ivrSays(b, now, strconv.Itoa(d), "1"); err != nil {
				return r, err
			}
		}
	}
	for name, text := range map[string]string{"STOP": r.stopAll, "STOP " + b.Categories[0].Keyword: r.stopOne[b.Categories[0].Key],
		"YES": r.optedIn[b.Categories[0].Key]} {
		if text == "" {
			return r, fmt.Errorf("the flows reply nothing to %s: the soak cannot recognise an acknowledgement", name)
		}
	}
	return r, nil
}

// ivrSays is the first thing a call says after the keys pressed, from its start.
func ivrSays(b consent.Business, now time.Time, keys ...string) (string, error) {
	out := flows.IVRStep(flows.IVRInput{Business: b, Caller: replyPhone, Now: now})
	for _, k := range keys {
		out = flows.IVRStep(flows.IVRInput{Business: b, Caller: replyPhone, Step: out.Next, Digits: k, Now: now})
	}
	if len(out.Prompts) == 0 || out.Prompts[0].Text == "" || len(out.Decisions) == 0 {
		return "", fmt.Errorf("the IVR records nothing after %v: the soak cannot recognise an acknowledgement", keys)
	}
	return out.Prompts[0].Text, nil
}
