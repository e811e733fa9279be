package main

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"strings"
)

// maxCallSteps bounds a simulated call, so a server that redirects forever cannot hang it.
const maxCallSteps = 100

// keySource yields the caller's key presses: scripted or typed. ok=false means the caller hangs up.
type keySource interface {
	keys(prompt string) (digits string, ok bool)
}

type scriptedKeys struct {
	c       *cli
	entries []string
}

func (k *scriptedKeys) keys(string) (string, bool) {
	if len(k.entries) == 0 {
		return "", false
	}
	d := strings.TrimSpace(k.entries[0])
	k.entries = k.entries[1:]
	if d == "" {
		fmt.Fprintln(k.c.stdout, "keys: (silence)")
	} else {
		fmt.Fprintf(k.c.stdout, "keys: %s\n", d)
	}
	return d, true
}

type typedKeys struct {
	c  *cli
	in *lineReader
}

func (k *typedKeys) keys(prompt string) (string, bool) {
	return k.in.next(k.c.stdout, prompt)
}

func runSimulateCall(ctx context.Context, c *cli, args []string) error {
	fs, f := addSimFlags(c, "call")
	script := fs.String("keys", "", `keys to press, comma-separated, e.g. "2,1"; an empty entry is silence`)
	machine := fs.Bool("machine", false, "answer as an answering machine (AnsweredBy=machine_start)")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := f.simulator(c)
	if err != nil {
		return err
	}
	var src keySource = &typedKeys{c: c, in: &lineReader{sc: bufio.NewScanner(c.stdin)}}
	if isFlagSet(fs, "keys") {
		src = &scriptedKeys{c: c, entries: strings.Split(*script, ",")}
	}
	call := url.Values{
		"CallSid": {sid("CA")}, "AccountSid": {s.account}, "From": {*f.from}, "To": {*f.to},
		"Caller": {*f.from}, "Called": {*f.to}, "CallStatus": {"ringing"}, "Direction": {"inbound"},
		"ApiVersion": {"2010-04-01"},
	}
	if *machine {
		call.Set("AnsweredBy", "machine_start")
	}
	fmt.Fprintf(c.stdout, "Calling %s from %s.\n", *f.to, *f.from)
	target, form := s.base+"/twilio/voice", call
	for step := 0; step < maxCallSteps; step++ {
		doc, err := s.post(ctx, target, form)
		if err != nil {
			return err
		}
		next, ok, err := playVerbs(c, src, doc.Verbs, target)
		if err != nil {
			return err
		}
		if !ok {
			if next.hungUp {
				fmt.Fprintln(c.stdout, "[caller hung up]")
			} else {
				fmt.Fprintln(c.stdout, "[call ended]")
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
func playVerbs(c *cli, src keySource, verbs []twimlVerb, current string) (callRequest, bool, error) {
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
			digits, ok := src.keys("press keys (Enter = silence, Ctrl-D = hang up)> ")
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
	var n int
	if _, err := fmt.Sscanf(g.attr("numDigits", "0"), "%d", &n); err == nil && n > 0 && len(digits) > n {
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
