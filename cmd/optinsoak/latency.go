package main

import (
	"fmt"
	"slices"
	"time"
)

// noAnswer stands for the latency of a request that got no answer at all: longer than any.
const noAnswer = time.Duration(1<<63 - 1)

// latencies are the answer times of some requests, unanswered ones as noAnswer.
type latencies []time.Duration

// latenciesOf collects the answer times of the requests sent in [from, to).
func latenciesOf(reqs []request, from, to time.Time) latencies {
	var out latencies
	for _, r := range reqs {
		if r.sent.Before(from) || !r.sent.Before(to) {
			continue
		}
		if r.status == 0 {
			out = append(out, noAnswer)
		} else {
			out = append(out, r.latency)
		}
	}
	slices.Sort(out)
	return out
}

// overlapping keeps the requests in flight at some moment of [from, to): sent before to and
// answered (or given up) after from.
func overlapping(reqs []request, from, to time.Time) []request {
	var out []request
	for _, r := range reqs {
		if r.sent.Before(to) && r.sent.Add(r.latency).After(from) {
			out = append(out, r)
		}
	}
	return out
}

// latenciesOverlapping collects the answer times of the requests in flight at some moment
// of [from, to).
func latenciesOverlapping(reqs []request, from, to time.Time) latencies {
	var out latencies
	for _, r := range overlapping(reqs, from, to) {
		if r.status == 0 {
			out = append(out, noAnswer)
		} else {
			out = append(out, r.latency)
		}
	}
	slices.Sort(out)
	return out
}

// percentile is the nearest-rank percentile p; -1 when there are no requests.
func (l latencies) percentile(p int) time.Duration {
	if len(l) == 0 {
		return -1
	}
	rank := (len(l)*p + 99) / 100
	return l[max(rank, 1)-1]
}

// within counts the requests answered within limit.
func (l latencies) within(limit time.Duration) int {
	n := 0
	for _, d := range l {
		if d <= limit {
			n++
		}
	}
	return n
}

// show writes a latency for a report.
func show(d time.Duration) string {
	switch {
	case d == noAnswer:
		return "no answer"
	case d < 0:
		return "no requests"
	}
	return d.Round(time.Millisecond).String()
}

// latencyAtMost checks a percentile of answer times against a limit; a request without an
// answer is slower than any limit.
func latencyAtMost(figure string, l latencies, p int, limit time.Duration) check {
	d := l.percentile(p)
	return check{figure: figure, value: fmt.Sprintf("%s of %d", show(d), len(l)), limit: "≤ " + limit.String(),
		ok: d >= 0 && d <= limit}
}
