package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"
)

// Size of the restart phase.
const (
	stopsBeforeKill  = 100 // STOPs sent while PostgreSQL is down, to the first process
	stopsAfterKill   = 50  // STOPs sent while it is still down, to the restarted process
	restartWorkers   = 8
	redeliveredStops = 50 // STOPs delivered again once everything is back
)

// runRestart is the restart phase: STOPs taken while PostgreSQL is down must survive a kill
// -9 of the service and a restart on the same spool directory while PostgreSQL is still
// down, land in the ledger exactly once when it returns, and record nothing more when
// delivered again.
func runRestart(ctx context.Context, s *stage) []check {
	svc, err := s.startService(ctx, serviceSpec{name: "optin", spoolDir: filepath.Join(s.dir, "spool")})
	if err != nil {
		return []check{failure("start", err)}
	}
	d := s.newDriver("303", restartWorkers)
	d.stopAll(ctx, svc) // with PostgreSQL up, so the service knows the business as in production
	d.lookup(ctx, svc, d.ids.phone())
	if err := s.pg.StopFast(); err != nil {
		return []check{failure("stop_postgres", err)}
	}
	var mu sync.Mutex
	var whileDown []*write
	sendStops := func(n int) {
		forEach(ctx, n, restartWorkers, func(ctx context.Context, i int) {
			w := d.stopAll(ctx, svc)
			mu.Lock()
			whileDown = append(whileDown, w)
			mu.Unlock()
		})
	}
	sendStops(stopsBeforeKill)
	if err := svc.kill(); err != nil {
		return []check{failure("kill_service", err)}
	}
	restartErr := s.restart(ctx, svc)
	if restartErr == nil {
		sendStops(stopsAfterKill)
	}
	if err := s.pg.Restart(ctx); err != nil {
		return []check{failure("restart_postgres", err)}
	}
	back := time.Now()
	if restartErr != nil && !svc.running() {
		if err := s.restart(ctx, svc); err != nil {
			return []check{failure("start_with_postgres_up", err)}
		}
	}
	// Counted now: the redeliveries below acknowledge again what was refused.
	checks := []check{startedCheck(restartErr), unackedCheck(whileDown)}
	recovery, missing := s.watchRecovery(ctx, d.rec, back, recoveryWatch)
	drained, problem := s.waitDrained(ctx, d.c, []*service{svc}, drainWait)
	differing := d.redeliverStops(ctx, svc, whileDown)
	rc := durationAtMost("recovery_after_restart", recovery, recoveryLimit)
	if missing > 0 {
		rc.value += fmt.Sprintf(" (%d acknowledged STOPs still missing after %s)", missing, recoveryWatch)
	}
	checks = append(checks, rc, drainCheck(drained, problem),
		atMost("redeliveries_answered_differently", differing, 0))
	return append(checks, s.ledgerChecks(ctx, d.rec.snapshot())...)
}

// redeliverStops delivers the first of the STOPs taken while PostgreSQL was down again, same
// MessageSid, and counts those not answered 200 with the reply they first got.
func (d *driver) redeliverStops(ctx context.Context, svc *service, stops []*write) int {
	stops = stops[:min(len(stops), redeliveredStops)]
	var differing sync.Map
	forEach(ctx, len(stops), restartWorkers, func(ctx context.Context, i int) {
		if _, same := d.redeliver(ctx, svc, stops[i]); !same {
			differing.Store(i, true)
		}
	})
	n := 0
	differing.Range(func(any, any) bool { n++; return true })
	return n
}

// startedCheck reports whether the service came back up while PostgreSQL was down.
func startedCheck(err error) check {
	if err != nil {
		return holds("serve_starts_while_postgres_down", false, "no: "+oneLine(err.Error()), "starts")
	}
	return holds("serve_starts_while_postgres_down", true, "yes", "starts")
}

// unackedCheck counts the STOPs sent while PostgreSQL was down that were not acknowledged.
func unackedCheck(stops []*write) check {
	n, example := 0, ""
	for _, w := range stops {
		if w.inFlight() || !w.acked {
			if n++; example == "" {
				example = ", e.g. " + w.answer
			}
		}
	}
	c := atMost("stops_unacknowledged_while_down", n, 0)
	c.value += fmt.Sprintf(" of %d%s", len(stops), example)
	return c
}
