package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// figure is one value measured in the run.
type figure struct {
	name     string
	value    float64
	unit     string        // req/s, txn/s, rows/s, MB
	p50, p99 time.Duration // zero for figures that are not request latencies
	baseline string        // the figure this one is shown against when no goal says otherwise
	note     string
}

// metric is what a goal reads from a figure.
type metric int

const (
	throughput metric = iota // the figure's value
	tailMillis               // the figure's p99, in milliseconds
)

// goal is one target of the issue: a ratio to another figure of the same run, or a bound.
type goal struct {
	label    string // the table row; the figure's own row when it is the figure's name
	figure   string
	of       metric
	baseline string  // the figure divided by; empty compares the value itself with limit
	atLeast  bool    // ratio or value must be ≥ limit; otherwise at most limit
	limit    float64 // a ratio, or milliseconds or megabytes for a bound
	unit     string  // of limit, for a bound
	strict   bool    // the value must stay below limit, not reach it
}

// goals are the targets of the issue, in the order they are reported.
var goals = []goal{
	{label: "sms_stop", figure: "sms_stop", baseline: "direct_txn", atLeast: true, limit: 1.5},
	{label: "sms_stop p99", figure: "sms_stop", of: tailMillis, limit: 50, unit: "ms"},
	{label: "sms_stop hot/10biz", figure: "sms_stop", baseline: "sms_stop_10biz", atLeast: true, limit: 0.8},
	{label: "sms_keyword_then_yes", figure: "sms_keyword_then_yes", baseline: "direct_txn", atLeast: true, limit: 1.0},
	{label: "ivr_menu", figure: "ivr_menu", baseline: "baseline_http", atLeast: true, limit: 0.6},
	{label: "ivr_step_nothing", figure: "ivr_step_nothing", baseline: "baseline_http", atLeast: true, limit: 0.6},
	{label: "ivr_step_disclosure", figure: "ivr_step_disclosure", baseline: "baseline_http", atLeast: true, limit: 0.6},
	{label: "api_lookup", figure: "api_lookup", baseline: "direct_pk_select", atLeast: true, limit: 0.8},
	{label: "api_list_900k p99", figure: "api_list_900k", of: tailMillis, baseline: "api_list_100", limit: 1.5},
	{label: "export_ndjson", figure: "export_ndjson", baseline: "copy_to_stdout", atLeast: true, limit: 1.0},
	{label: "export_rss", figure: "export_rss", limit: 64, unit: "MB", strict: true},
}

// outcome is a goal evaluated over the figures of a run.
type outcome struct {
	goal
	value, ratio float64 // ratio is 0 for a bound
	measured     bool    // false when a figure it needs was not measured
	met          bool
}

func evaluate(g goal, figs map[string]figure) outcome {
	o := outcome{goal: g}
	f, ok := figs[g.figure]
	if !ok {
		return o
	}
	o.value = read(f, g.of)
	compared := o.value
	if g.baseline != "" {
		b, ok := figs[g.baseline]
		if !ok || read(b, g.of) == 0 {
			return o
		}
		o.ratio = o.value / read(b, g.of)
		compared = o.ratio
	}
	o.measured = true
	switch {
	case g.atLeast:
		o.met = compared >= g.limit
	case g.strict:
		o.met = compared < g.limit
	default:
		o.met = compared <= g.limit
	}
	return o
}

func read(f figure, m metric) float64 {
	if m == tailMillis {
		return float64(f.p99) / float64(time.Millisecond)
	}
	return f.value
}

func (o outcome) goalText() string {
	op := "≤"
	switch {
	case o.atLeast:
		op = "≥"
	case o.strict:
		op = "<"
	}
	if o.baseline == "" {
		return fmt.Sprintf("%s %g %s", op, o.limit, o.unit)
	}
	if o.of == tailMillis {
		return fmt.Sprintf("%s %.2f× p99", op, o.limit)
	}
	return fmt.Sprintf("%s %.2f×", op, o.limit)
}

func (o outcome) verdict() string {
	switch {
	case !o.measured:
		return "n/a"
	case o.met:
		return "ok"
	}
	return "MISS"
}

// writeTable prints one row per figure, in the order measured, each with its own goal, and
// under it a row for each further goal about it.
func writeTable(out io.Writer, order []string, figs map[string]figure) {
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\tp50\tp99\tbaseline\tratio\tgoal\t\tnote")
	for _, name := range order {
		f := figs[name]
		row := []string{name, formatValue(f.value, f.unit), formatLatency(f.p50), formatLatency(f.p99), "-", "-", "-", "", f.note}
		if f.baseline != "" {
			if b, ok := figs[f.baseline]; ok && b.value > 0 {
				row[4], row[5] = f.baseline, fmt.Sprintf("%.3f", f.value/b.value)
			}
		}
		var extra [][]string
		for _, g := range goals {
			if g.figure != name {
				continue
			}
			o := evaluate(g, figs)
			if g.label == name {
				row[4], row[5], row[6], row[7] = dash(g.baseline), formatRatio(o), o.goalText(), o.verdict()
				continue
			}
			value := formatValue(o.value, g.unit)
			if g.unit == "" {
				value = formatValue(o.value, f.unit)
			}
			if g.of == tailMillis {
				value = formatLatency(f.p99) + " p99"
			}
			extra = append(extra, []string{"  " + g.label, value, "", "", dash(g.baseline), formatRatio(o), o.goalText(), o.verdict(), ""})
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
		for _, r := range extra {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
	}
	tw.Flush() //nolint:errcheck // writes to a strings.Builder do not fail
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		fmt.Fprintln(out, strings.TrimRight(line, " "))
	}
}

// missed lists the goals measured and not met.
func missed(figs map[string]figure) []string {
	var out []string
	for _, g := range goals {
		if o := evaluate(g, figs); o.measured && !o.met {
			out = append(out, fmt.Sprintf("%s (%s, goal %s)", g.label, formatRatioOrValue(o), o.goalText()))
		}
	}
	return out
}

func formatRatio(o outcome) string {
	if !o.measured || o.baseline == "" {
		return "-"
	}
	return fmt.Sprintf("%.3f", o.ratio)
}

func formatRatioOrValue(o outcome) string {
	if o.baseline == "" {
		return formatValue(o.value, o.unit)
	}
	return fmt.Sprintf("ratio %.3f", o.ratio)
}

func formatValue(v float64, unit string) string {
	switch {
	case unit == "":
		return "-"
	case v >= 100:
		return fmt.Sprintf("%.0f %s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, unit)
	}
	return fmt.Sprintf("%.2f %s", v, unit)
}

func formatLatency(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	ms := float64(d) / float64(time.Millisecond)
	return formatValue(ms, "ms")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
