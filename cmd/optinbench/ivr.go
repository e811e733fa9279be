package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ivrArea is the area code of the IVR scenarios' callers.
const ivrArea = "408"

// ivrMenu is the first request of a call: the menu, recording nothing.
func (e *env) ivrMenu() step {
	hot := e.biz.hot()
	build := func(w, i int) signedForm {
		f := voiceForm(sid("CA", 6, w, i), freshPhone(ivrArea, e.opts.workers, w, i), hot.Numbers[0], "")
		return signForm(e.base+"/twilio/voice", f)
	}
	return e.webhookStep(webhook{name: "ivr_menu", baseline: "baseline_http", needs: []string{"baseline_http"},
		note: "POST /twilio/voice, a call starts",
		area: ivrArea, businesses: []string{hot.ID}, events: nothing, build: build})
}

// ivrStep answers the menu's <Gather> with digits that record nothing: * repeats the menu, a
// category digit speaks that category's disclosure. The step URL is the one the menu returned,
// with the flows' own step token, as Twilio would post it.
func (e *env) ivrStep(name, digits string) step {
	hot := e.biz.hot()
	s := step{name: name, needs: []string{"baseline_http"}}
	s.run = func(ctx context.Context) ([]figure, error) {
		action, err := e.menuAction(ctx)
		if err != nil {
			return nil, err
		}
		build := func(w, i int) signedForm {
			return signForm(action, voiceForm(sid("CA", 7, w, i), freshPhone(ivrArea, e.opts.workers, w, i), hot.Numbers[0], digits))
		}
		if _, err := e.gatherAction(ctx, build(0, 0)); err != nil {
			return nil, fmt.Errorf("step %s: %w", digits, err)
		}
		return e.runWebhook(ctx, webhook{name: name, baseline: "baseline_http", area: ivrArea,
			note:       fmt.Sprintf("menu's <Gather> answered %q: records nothing", digits),
			businesses: []string{hot.ID}, events: nothing, build: build})
	}
	return s
}

// menuAction starts one call and returns the action URL of the menu's <Gather>.
func (e *env) menuAction(ctx context.Context) (string, error) {
	hot := e.biz.hot()
	start := signForm(e.base+"/twilio/voice", voiceForm(sid("CA", 8, 0, 0), freshPhone(ivrArea, e.opts.workers, 0, 0), hot.Numbers[0], ""))
	action, err := e.gatherAction(ctx, start)
	if err != nil {
		return "", fmt.Errorf("menu: %w", err)
	}
	if !strings.HasPrefix(action, e.base+"/") {
		return "", fmt.Errorf("menu: the <Gather> posts to %q, not to this server", action)
	}
	return action, nil
}

// gatherAction posts a voice webhook and returns the action URL of the <Gather> it answers with.
func (e *env) gatherAction(ctx context.Context, f signedForm) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, strings.NewReader(f.body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", f.signature)
	var body bytes.Buffer
	if _, err := e.client.do(req, &body); err != nil {
		return "", err
	}
	return gatherActionOf(&body)
}

// errNoGather means a TwiML answer holds no <Gather>: the call would end there.
var errNoGather = errors.New("the answer has no <Gather>")

// gatherActionOf reads the action attribute of the first <Gather> of a TwiML document.
func gatherActionOf(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return "", errNoGather
		}
		if err != nil {
			return "", fmt.Errorf("read TwiML: %w", err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "Gather" {
			for _, a := range el.Attr {
				if a.Name.Local == "action" {
					return a.Value, nil
				}
			}
			return "", errors.New("the <Gather> has no action")
		}
	}
}
