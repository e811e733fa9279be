package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/optin/optin/consent"
)

// call is one simulated phone call. Its requests go to the services in turn, so with two
// replicas each step is answered by the other one than the step before.
type call struct {
	d     *driver
	svcs  []*service
	sid   string
	phone string
	next  string // path and query of the next step, from the last <Gather action>
	steps int    // requests sent so far
}

// errCallEnded means the answer had no <Gather>: the call cannot go on.
var errCallEnded = errors.New("the call ended")

// newCall makes a call from a fresh phone, its first request to svcs[0].
func (d *driver) newCall(svcs ...*service) *call {
	return &call{d: d, svcs: svcs, sid: d.ids.callSid(), phone: d.ids.phone()}
}

// service is the replica the next request goes to.
func (cl *call) service() *service { return cl.svcs[cl.steps%len(cl.svcs)] }

// start sends the call's first request, POST /twilio/voice.
func (cl *call) start(ctx context.Context) (answer, error) {
	return cl.post(ctx, "/twilio/voice", "")
}

// press answers the last <Gather> with digits.
func (cl *call) press(ctx context.Context, digits string) (answer, error) {
	if cl.next == "" {
		return answer{}, errCallEnded
	}
	return cl.post(ctx, cl.next, digits)
}

// post sends one request of the call and keeps the next step's URL.
func (cl *call) post(ctx context.Context, pathQuery, digits string) (answer, error) {
	svc := cl.service()
	cl.steps++
	a := cl.d.c.webhook(ctx, svc, pathQuery, voiceForm(cl.sid, cl.phone, cl.d.number(), digits))
	cl.d.rec.request("ivr", a)
	cl.next = ""
	if a.status != 200 {
		return a, fmt.Errorf("voice step answered %s", a.describe())
	}
	doc, err := readTwiML(a.body)
	if err != nil {
		return a, err
	}
	if doc.gather == "" {
		return a, errCallEnded
	}
	cl.next, err = relative(svc, doc.gather)
	return a, err
}

// record presses digits that record action on cats, as a write acknowledged when the call
// speaks expected.
func (cl *call) record(ctx context.Context, kind, digits string, action consent.Action, cats []string, expected string) *write {
	w := cl.intent(kind, action, cats)
	cl.d.rec.begin(w)
	cl.pressFor(ctx, w, digits, expected)
	return w
}

// intent is the write a caller means to make on this call.
func (cl *call) intent(kind string, action consent.Action, cats []string) *write {
	return &write{kind: kind, phone: cl.phone, action: action, categories: cats, channel: consent.ChannelIVR, ref: cl.sid}
}

// pressFor presses the digits that make w, a write already begun, and records its answer.
func (cl *call) pressFor(ctx context.Context, w *write, digits, expected string) {
	if u, err := url.Parse(cl.next); err == nil {
		w.keyPattern = callKeys(cl.sid, u.Query().Get("s")) // the step the key press answers
	}
	a, _ := cl.press(ctx, digits) // an answer without a <Gather> may still have confirmed
	cl.d.rec.finish(w, a, ivrAcknowledged(a, expected), false)
}

// ivrStop calls from a fresh phone, opens the stop menu with 0 and presses digit: one
// category's digit stops it, 9 stops every category. The write begins with the call: a
// caller who wants to stop and cannot reach the stop menu was refused as surely as one whose
// key press was.
func (d *driver) ivrStop(ctx context.Context, svc *service, digit int) *write {
	cl := d.newCall(svc)
	w := cl.intent("ivr_stop", consent.ActionOptOut, d.digitCategories(digit))
	d.rec.begin(w)
	a, err := cl.start(ctx)
	if err == nil {
		a, err = cl.press(ctx, "0")
	}
	if err != nil {
		d.rec.finish(w, a, false, false)
		return w
	}
	cl.pressFor(ctx, w, strconv.Itoa(digit), d.s.replies.ivrStopped[digit])
	return w
}

// digitCategories are the categories a stop-menu digit stops: all of them on 9.
func (d *driver) digitCategories(digit int) []string {
	if digit == 9 {
		return d.allCategories()
	}
	for _, c := range d.s.business.Categories {
		if c.Digit == digit {
			return d.reach(c.Key)
		}
	}
	return nil
}
