package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/optin/optin/consent"
)

// Limits of DESIGN §4 and of the issue the soak was written for.
const (
	answerLimit   = 10 * time.Second // every webhook is answered within 10 s, whatever the database does
	recoveryLimit = 5 * time.Second  // every acknowledged write is in the ledger 5 s after PostgreSQL returns
)

// Bounds of the faults phase's waits.
const (
	faultsPace    = 100 * time.Millisecond // between two operations of one worker
	faultsTail    = 6 * time.Second        // load after the last fault ends
	recoveryWatch = 30 * time.Second       // how long recovery is waited for before it counts as never
	drainWait     = 60 * time.Second       // for /readyz 200 and an empty spool after the load
)

// runFaults is the faults phase: load through one service while PostgreSQL is stopped fast,
// killed and frozen, then the ledger is checked against every acknowledged write.
func runFaults(ctx context.Context, s *stage) []check {
	svc, err := s.startService(ctx, serviceSpec{name: "optin", spoolDir: filepath.Join(s.dir, "spool")})
	if err != nil {
		return []check{failure("start", err)}
	}
	d := s.newDriver("312", s.opts.workers)
	op := d.faultsMix(svc)
	for i := range 10 { // one of each operation first, so caches hold what they hold in production
		op(ctx, 0, i)
	}
	plan := faultPlan{lead: 2 * time.Second, stopFor: 3 * time.Second, gap: 3 * time.Second,
		killFor: 2 * time.Second, freeze: s.opts.freeze}
	stop, loaded := make(chan struct{}), make(chan struct{})
	loadStart := time.Now()
	go func() {
		runLoad(ctx, s.opts.workers, faultsPace, stop, op)
		close(loaded)
	}()
	faults, faultErr := s.injectFaults(ctx, plan)
	recovery, missing := time.Duration(-1), 0
	if faultErr == nil {
		last := faults[len(faults)-1]
		end := loadStart.Add(s.opts.duration)
		if tail := last.back.Add(faultsTail); tail.After(end) {
			end = tail
		}
		go func() {
			wait(ctx, nil, time.Until(end))
			close(stop)
		}()
		recovery, missing = s.watchRecovery(ctx, d.rec, last.back, recoveryWatch)
	} else {
		close(stop)
		if err := s.databaseUp(ctx); err != nil {
			faultErr = fmt.Errorf("%w; bringing PostgreSQL back: %v", faultErr, err)
		}
	}
	<-loaded
	loadTook := time.Since(loadStart)
	drained, problem := s.waitDrained(ctx, d.c, []*service{svc}, drainWait)
	checks := []check{info("faults", "%s", describeFaults(faults))}
	if faultErr != nil {
		checks = append(checks, failure("fault_injection", faultErr))
	}
	checks = append(checks, loadFigures(d.rec, d.keywordsRefused.Load(), loadTook)...)
	checks = append(checks, faultLatencies(d.rec.allRequests(), faults)...)
	rc := durationAtMost("recovery_after_last_fault", recovery, recoveryLimit)
	if missing > 0 {
		rc.value += fmt.Sprintf(" (%d acknowledged writes still missing after %s)", missing, recoveryWatch)
	}
	checks = append(checks, rc, drainCheck(drained, problem))
	return append(checks, s.ledgerChecks(ctx, d.rec.snapshot())...)
}

// faultsMix is the operation mix of the faults phase: every kind of opt-out the service
// takes, opt-in conversations and API lookups, each worker walking the mix from its own place.
func (d *driver) faultsMix(svc *service) func(ctx context.Context, w, i int) {
	cats := d.s.business.Categories
	last := cats[len(cats)-1]
	mix := []func(ctx context.Context){
		func(ctx context.Context) { d.stopAll(ctx, svc) },
		func(ctx context.Context) { d.ivrStop(ctx, svc, 9) },
		func(ctx context.Context) { d.apiOptOut(ctx, svc, nil) },
		func(ctx context.Context) { d.stopOne(ctx, svc, "", cats[1%len(cats)]) },
		func(ctx context.Context) { d.conversation(ctx, svc, svc, "", cats[0]) },
		func(ctx context.Context) { d.lookup(ctx, svc, d.ids.phone()) },
		func(ctx context.Context) { d.providerOptOut(ctx, svc) },
		func(ctx context.Context) { d.ivrStop(ctx, svc, last.Digit) },
		func(ctx context.Context) { d.apiOptOut(ctx, svc, &last) },
		func(ctx context.Context) { d.stopAll(ctx, svc) },
	}
	return func(ctx context.Context, w, i int) { mix[(w+i)%len(mix)](ctx) }
}

// describeFaults says what was done and for how long.
func describeFaults(faults []faultEvent) string {
	var parts []string
	for _, f := range faults {
		parts = append(parts, fmt.Sprintf("%s %s", f.name, f.back.Sub(f.start).Round(100*time.Millisecond)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

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
