package main

import (
	"fmt"
	"strings"
)

// phoneKeys are the keys of a telephone keypad.
const phoneKeys = "0123456789*#"

// checkKeys reports the first character of line that is no phone key.
func checkKeys(line string) error {
	for _, r := range line {
		if !strings.ContainsRune(phoneKeys, r) {
			return fmt.Errorf("%q is not a phone key: keys are 0-9, * and #", r)
		}
	}
	return nil
}

// keySource yields the caller's lines of key presses: scripted or typed. A line is checked
// to hold phone keys only; "" is silence; ok=false means the caller hangs up.
type keySource interface {
	line(prompt string) (keys string, ok bool)
}

// scriptedKeys are the lines of --keys, checked before the call starts.
type scriptedKeys struct{ lines []string }

// newScriptedKeys splits --keys into lines, refusing any that holds something other than
// phone keys, so "hello" is an error rather than a press of nothing.
func newScriptedKeys(script string) (*scriptedKeys, error) {
	lines := strings.Split(script, ",")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
		if err := checkKeys(lines[i]); err != nil {
			return nil, fmt.Errorf("%w: --keys %q: %v", errUsage, script, err)
		}
	}
	return &scriptedKeys{lines: lines}, nil
}

func (k *scriptedKeys) line(string) (string, bool) {
	if len(k.lines) == 0 {
		return "", false
	}
	l := k.lines[0]
	k.lines = k.lines[1:]
	return l, true
}

// typedKeys reads lines of keys from the terminal and asks again after a line that holds
// something other than phone keys.
type typedKeys struct {
	c  *cli
	in *lineReader
}

func (k *typedKeys) line(prompt string) (string, bool) {
	for {
		l, ok := k.in.next(k.c.stdout, prompt)
		if !ok {
			return "", false
		}
		if err := checkKeys(l); err != nil {
			fmt.Fprintf(k.c.stdout, "not sent: %v\n", err)
			continue
		}
		return l, true
	}
}

// keypad holds the keys the caller pressed that no <Gather> has taken yet: a line of several
// keys answers one Gather after another, as keys pressed ahead do on a real call.
type keypad struct {
	c       *cli
	src     keySource
	pending string
}

// press returns the keys the next Gather with numDigits takes (0: up to '#' or the end of the
// line); "" is silence, ok=false means the caller hung up.
func (k *keypad) press(numDigits int) (keys string, ok bool) {
	if k.pending == "" {
		line, ok := k.src.line("press keys (Enter = silence, Ctrl-D = hang up)> ")
		if !ok {
			return "", false
		}
		if line == "" {
			fmt.Fprintln(k.c.stdout, "keys: (silence)")
			return "", true
		}
		k.pending = line
	}
	keys, k.pending = takeKeys(k.pending, numDigits)
	fmt.Fprintf(k.c.stdout, "keys: %s\n", keys)
	return keys, true
}

// takeKeys splits the keys a Gather takes off pending: numDigits of them when it asks for a
// number, or up to and including a finishing '#'; the rest wait for the next Gather.
func takeKeys(pending string, numDigits int) (taken, rest string) {
	for i := 0; i < len(pending); i++ {
		if pending[i] == '#' || (numDigits > 0 && i+1 == numDigits) {
			return pending[:i+1], pending[i+1:]
		}
	}
	return pending, ""
}
