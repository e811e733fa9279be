package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// check is one figure of a phase and, when it has a limit, whether it kept to it. A figure
// without a limit is reported for the reader and never fails.
type check struct {
	phase  string
	figure string
	value  string
	limit  string // "" for a figure only reported
	ok     bool
}

// atMost checks that a count of bad outcomes stays within limit.
func atMost(figure string, n, limit int) check {
	return check{figure: figure, value: fmt.Sprint(n), limit: fmt.Sprintf("≤ %d", limit), ok: n <= limit}
}

// durationAtMost checks a duration against its limit; a negative d means it never happened.
func durationAtMost(figure string, d, limit time.Duration) check {
	c := check{figure: figure, limit: "≤ " + limit.String(), ok: d >= 0 && d <= limit}
	c.value = d.Round(time.Millisecond).String()
	if d < 0 {
		c.value = "never"
	}
	return c
}

// holds checks a condition described by value.
func holds(figure string, ok bool, value, limit string) check {
	return check{figure: figure, value: value, limit: limit, ok: ok}
}

// info is a figure only reported.
func info(figure string, format string, args ...any) check {
	return check{figure: figure, value: fmt.Sprintf(format, args...), ok: true}
}

// failure is a check that could not be made because the phase broke down before it.
func failure(figure string, err error) check {
	return check{figure: figure, value: oneLine(err.Error()), limit: "no error", ok: false}
}

// anyFailed reports whether a check failed.
func anyFailed(checks []check) bool {
	for _, c := range checks {
		if !c.ok {
			return true
		}
	}
	return false
}

// resultLine is the one line a phase prints: its verdict, then each figure, failed ones
// marked with their limit.
func resultLine(phase string, checks []check, took time.Duration) string {
	verdict := "ok"
	if anyFailed(checks) {
		verdict = "FAIL"
	}
	parts := make([]string, 0, len(checks))
	for _, c := range checks {
		p := c.figure + "=" + c.value
		if !c.ok {
			p += " (limit " + c.limit + ")"
		}
		parts = append(parts, p)
	}
	return fmt.Sprintf("%-10s %-4s %s in %s: %s", phase, verdict, plural(len(checks), "figure"),
		took.Round(100*time.Millisecond), strings.Join(parts, ", "))
}

// writeTable prints every check of the run, one row each.
func writeTable(out io.Writer, checks []check) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "phase\tfigure\tvalue\tlimit\tok")
	for _, c := range checks {
		limit, ok := c.limit, "ok"
		if limit == "" {
			limit = "—"
		}
		if !c.ok {
			ok = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.phase, c.figure, truncate(c.value, 70), limit, ok)
	}
	tw.Flush()
}

// plural writes n and a noun, with an s unless n is one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// oneLine keeps the first line of a message, so an error fits a table cell.
func oneLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return first
}

// truncate shortens s to n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
