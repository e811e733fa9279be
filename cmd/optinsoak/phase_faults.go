package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"
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
	out := d.loadUnderFaults(ctx, op)
	drained, problem := s.waitDrained(ctx, d.c, []*service{svc}, drainWait)
	checks := append(out.checks(d), drainCheck(drained, problem))
	return append(checks, s.ledgerChecks(ctx, d.rec.snapshot())...)
}

// faultsOutcome is what the load under faults did and measured.
type faultsOutcome struct {
	faults   []faultEvent
	err      error         // why the faults could not all be played
	recovery time.Duration // -1 when every acknowledged write was not seen in time
	missing  int           // acknowledged writes still not seen then
	took     time.Duration // of the load
}

// loadUnderFaults runs the load while the faults are played, for at least --duration and
// until faultsTail after the last one, and measures recovery from it meanwhile.
func (d *driver) loadUnderFaults(ctx context.Context, op func(ctx context.Context, w, i int)) faultsOutcome {
	s := d.s
	plan := faultPlan{lead: 2 * time.Second, stopFor: 3 * time.Second, gap: 3 * time.Second,
		killFor: 2 * time.Second, freeze: s.opts.freeze}
	stop, loaded := make(chan struct{}), make(chan struct{})
	start := time.Now()
	go func() {
		runLoad(ctx, s.opts.workers, faultsPace, stop, op)
		close(loaded)
	}()
	out := faultsOutcome{recovery: -1}
	out.faults, out.err = s.injectFaults(ctx, plan)
	if out.err == nil {
		last := out.faults[len(out.faults)-1]
		end := start.Add(s.opts.duration)
		if tail := last.back.Add(faultsTail); tail.After(end) {
			end = tail
		}
		go func() {
			wait(ctx, nil, time.Until(end))
			close(stop)
		}()
		out.recovery, out.missing = s.watchRecovery(ctx, d.rec, last.back, recoveryWatch)
	} else {
		close(stop)
		if err := s.databaseUp(ctx); err != nil {
			out.err = fmt.Errorf("%w; bringing PostgreSQL back: %v", out.err, err)
		}
	}
	<-loaded
	out.took = time.Since(start)
	return out
}

// checks are the figures of the load: what was done, what was answered how fast, recovery.
func (out faultsOutcome) checks(d *driver) []check {
	checks := []check{info("faults", "%s", describeFaults(out.faults))}
	if out.err != nil {
		checks = append(checks, failure("fault_injection", out.err))
	}
	checks = append(checks, loadFigures(d.rec, d.keywordsRefused.Load(), out.took)...)
	checks = append(checks, faultLatencies(d.rec.allRequests(), out.faults)...)
	rc := durationAtMost("recovery_after_last_fault", out.recovery, recoveryLimit)
	if out.missing > 0 {
		rc.value += fmt.Sprintf(" (%d acknowledged writes still missing after %s)", out.missing, recoveryWatch)
	}
	return append(checks, rc)
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
