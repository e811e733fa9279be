package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/optin/optin/consent"
)

// loadFigures counts the requests and writes of a load: 2xx answers, writes acknowledged,
// opt-outs refused (each a loss: the sender will not try again), opt-ins refused, and
// acknowledgements whose words were not the flows' reply.
func loadFigures(rec *recorder, keywordsRefused int64, took time.Duration) []check {
	reqs, writes := rec.allRequests(), rec.snapshot()
	ok2xx := 0
	for _, r := range reqs {
		if r.status >= 200 && r.status < 300 {
			ok2xx++
		}
	}
	refused := map[string]int{}
	optOuts, optInsRefused, unexpected := 0, 0, 0
	for _, w := range writes {
		if w.unexpected {
			unexpected++
		}
		switch {
		case w.action == consent.ActionOptIn && !w.acked:
			optInsRefused++
		case w.action == consent.ActionOptOut:
			optOuts++
			if !w.acked {
				refused[w.kind]++
			}
		}
	}
	unacked := atMost("optouts_unacknowledged", total(refused), 0)
	unacked.value += fmt.Sprintf(" of %d%s", optOuts, breakdown(refused))
	return []check{
		info("requests", "%d in %s, %d answered 2xx", len(reqs), took.Round(100*time.Millisecond), ok2xx),
		unacked,
		info("optins_refused", "%d YES refused, %d keywords not answered with the disclosure", optInsRefused, keywordsRefused),
		atMost("acks_not_the_flows_reply", unexpected, 0),
	}
}

// faultLatencies checks the answer times of the requests sent during each fault.
func faultLatencies(reqs []request, faults []faultEvent) []check {
	var out []check
	for _, f := range faults {
		from, to := f.window()
		l := latenciesOf(reqs, from, to)
		out = append(out, latencyAtMost("p99_during_"+f.name, l, 99, answerLimit))
		if f.name == "freeze" {
			// Every request in flight at any time of the freeze, also those sent before it.
			all := latenciesOverlapping(reqs, from, to)
			n := all.within(answerLimit)
			out = append(out, holds("answered_within_10s_during_freeze", n == len(all) && len(all) > 0,
				fmt.Sprintf("%d of %d%s", n, len(all), slowKinds(overlapping(reqs, from, to))), "all"))
		}
	}
	return out
}

// slowKinds names the kinds of the requests not answered within answerLimit, with counts.
func slowKinds(reqs []request) string {
	slow := map[string]int{}
	for _, r := range reqs {
		if r.status == 0 || r.latency > answerLimit {
			slow[r.kind]++
		}
	}
	if len(slow) == 0 {
		return ""
	}
	return "; slower or unanswered:" + strings.TrimSuffix(strings.TrimPrefix(breakdown(slow), " ("), ")")
}

// drainCheck reports whether the services became ready with an empty spool.
func drainCheck(took time.Duration, problem string) check {
	c := holds("spool_drained", problem == "", "", fmt.Sprintf("ready, spool 0, ≤ %s", drainWait))
	if problem == "" {
		c.value = "after " + took.Round(time.Millisecond).String()
	} else {
		c.value = problem
	}
	return c
}

// ledgerChecks reads the ledger and judges it against the writes.
func (s *stage) ledgerChecks(ctx context.Context, writes []write) []check {
	events, err := s.ledger(ctx)
	if err != nil {
		return []check{failure("ledger", err)}
	}
	return judge(writes, events).checks()
}

// total adds up counts.
func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// breakdown writes counts by kind, " (a 1, b 2)"; "" when there are none.
func breakdown(counts map[string]int) string {
	if len(counts) == 0 {
		return ""
	}
	var kinds []string
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// countUnexpected counts the acknowledgements whose words were not the flows' reply.
func countUnexpected(writes []write) int {
	n := 0
	for _, w := range writes {
		if w.unexpected {
			n++
		}
	}
	return n
}
