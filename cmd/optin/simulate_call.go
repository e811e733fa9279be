package main

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// maxCallSteps bounds a simulated call, so a server that redirects forever cannot hang it.
const maxCallSteps = 100

func runSimulateCall(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("simulate call", simulateUsage)
	from := fs.String("from", "", "the caller's number, E.164 (required)")
	to := fs.String("to", demoNumber, "the business number called")
	script := fs.String("keys", "", `lines of keys, comma-separated, e.g. "2,1"; each key of a line is pressed in order; an empty line is silence`)
	machine := fs.Bool("machine", false, "answer as an answering machine (AnsweredBy=machine_start)")
	f := addSimFlags(c, fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return fmt.Errorf("%w: --from +1… is required", errUsage)
	}
	var src keySource = &typedKeys{c: c, in: &lineReader{sc: bufio.NewScanner(c.stdin)}}
	if isFlagSet(fs, "keys") {
		scripted, err := newScriptedKeys(*script)
		if err != nil {
			return err
		}
		src = scripted
	}
	s, err := f.simulator(c)
	if err != nil {
		return err
	}
	call := url.Values{
		"CallSid": {sid("CA")}, "AccountSid": {s.account}, "From": {*from}, "To": {*to},
		"Caller": {*from}, "Called": {*to}, "CallStatus": {"ringing"}, "Direction": {"inbound"},
		"ApiVersion": {"2010-04-01"},
	}
	if *machine {
		call.Set("AnsweredBy", "machine_start")
	}
	fmt.Fprintf(c.stdout, "Calling %s from %s.\n", *to, *from)
	if err := s.playCall(ctx, call, &keypad{c: c, src: src}); err != nil {
		return err
	}
	ledger := s.openLedger(ctx)
	defer ledger.close()
	return ledger.report(ctx, c.stdout, ledgerQuery{business: *to, person: *from, ref: call.Get("CallSid"), what: "call"})
}

// playCall follows a call from its first webhook to its end.
func (s *simulator) playCall(ctx context.Context, call url.Values, keys *keypad) error {
	target, form := s.base+"/twilio/voice", call
	for step := 0; step < maxCallSteps; step++ {
		doc, err := s.post(ctx, target, form)
		if err != nil {
			return err
		}
		next, ok, err := playVerbs(s.c, keys, doc.Verbs, target)
		if err != nil {
			return err
		}
		if !ok {
			if next.hungUp {
				fmt.Fprintln(s.c.stdout, "[caller hung up]")
			} else {
				fmt.Fprintln(s.c.stdout, "[call ended]")
			}
			return nil
		}
		target, form = next.url, cloneWith(call, next.params)
		form.Set("CallStatus", "in-progress")
	}
	return fmt.Errorf("the call did not end after %d steps", maxCallSteps)
}

// callRequest is the next request Twilio would make during a call.
type callRequest struct {
	url    string
	params url.Values
	hungUp bool // the caller ended the call
}

// playVerbs performs a TwiML document as Twilio would, returning the next request, or ok=false
// when the call ends.
func playVerbs(c *cli, keys *keypad, verbs []twimlVerb, current string) (callRequest, bool, error) {
	for _, v := range verbs {
		switch v.XMLName.Local {
		case "Say":
			fmt.Fprintf(c.stdout, "say: %s\n", v.text())
		case "Hangup", "Reject":
			return callRequest{}, false, nil
		case "Redirect":
			u, err := resolve(current, v.text())
			return callRequest{url: u}, err == nil, err
		case "Gather":
			for _, ch := range v.Children {
				if ch.XMLName.Local == "Say" {
					fmt.Fprintf(c.stdout, "say: %s\n", ch.text())
				}
			}
			digits, ok := keys.press(numDigits(v))
			if !ok {
				return callRequest{hungUp: true}, false, nil
			}
			params, answered := gatherResult(v, digits)
			if !answered {
				continue // silence: Twilio runs the verb after the Gather
			}
			u, err := resolve(current, v.attr("action", current))
			return callRequest{url: u, params: params}, err == nil, err
		}
	}
	return callRequest{}, false, nil
}

// gatherResult turns typed keys into the parameters Twilio posts to a Gather's action.
// A finishing '#' ends input; a bare '#' is an empty result, posted only when the Gather asks
// for empty results.
func gatherResult(g twimlVerb, typed string) (url.Values, bool) {
	if typed == "" {
		return nil, false
	}
	digits, finished := typed, ""
	if i := strings.IndexByte(typed, '#'); i >= 0 {
		digits, finished = typed[:i], "#"
	}
	if n := numDigits(g); n > 0 && len(digits) > n {
		digits = digits[:n]
	}
	if digits == "" && g.attr("actionOnEmptyResult", "false") != "true" {
		return nil, false
	}
	p := url.Values{"Digits": {digits}}
	if finished != "" {
		p.Set("FinishedOnKey", finished)
	}
	return p, true
}

// numDigits is how many keys a Gather waits for; 0 when it waits for '#' or its timeout.
func numDigits(g twimlVerb) int {
	n, err := strconv.Atoi(g.attr("numDigits", "0"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func resolve(current, ref string) (string, error) {
	base, err := url.Parse(current)
	if err != nil {
		return "", fmt.Errorf("bad URL %q: %w", current, err)
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", fmt.Errorf("server sent a bad URL %q: %w", ref, err)
	}
	return base.ResolveReference(r).String(), nil
}

func cloneWith(base, extra url.Values) url.Values {
	out := url.Values{}
	for k, v := range base {
		out[k] = append([]string(nil), v...)
	}
	for k, v := range extra {
		out[k] = append([]string(nil), v...)
	}
	return out
}
