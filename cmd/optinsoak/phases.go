package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// phase is one part of the soak: it runs against a stage of its own and returns its checks.
type phase struct {
	name  string
	about string
	run   func(ctx context.Context, s *stage) []check
}

// phases lists every phase in the order they run.
func phases() []phase {
	return []phase{
		{"faults", "signed SMS, IVR and API load while PostgreSQL is stopped fast, killed -9 and frozen", runFaults},
		{"redelivery", "messages each delivered three times at once", runRedelivery},
		{"replicas", "two services on one database, calls and conversations alternating between them", runReplicas},
		{"restart", "the service killed and restarted while its spool holds opt-outs and PostgreSQL is down", runRestart},
	}
}

// phaseNames lists the phases' names.
func phaseNames() []string {
	var out []string
	for _, p := range phases() {
		out = append(out, p.name)
	}
	return out
}

// phaseByName finds a phase; nil when there is none of that name.
func phaseByName(name string) *phase {
	for _, p := range phases() {
		if p.name == name {
			return &p
		}
	}
	return nil
}

// selectPhases keeps the phases named in only, in their own order; all when only is empty.
func selectPhases(only []string) []phase {
	var out []phase
	for _, p := range phases() {
		if len(only) == 0 || slices.Contains(only, p.name) {
			out = append(out, p)
		}
	}
	return out
}

// runPhase prepares the phase's stage, runs it and prints its result line; when a check
// failed, the end of each of its services' logs follows.
func (e *env) runPhase(ctx context.Context, p phase) []check {
	start := time.Now()
	s, err := e.newStage(ctx, p.name)
	var checks []check
	if err != nil {
		checks = []check{failure("setup", err)}
	} else {
		checks = p.run(ctx, s)
	}
	for i := range checks {
		checks[i].phase = p.name
	}
	fmt.Fprintln(e.out, resultLine(p.name, checks, time.Since(start)))
	if s != nil {
		if anyFailed(checks) {
			s.showLogs()
		}
		s.close()
	}
	return checks
}

// showLogs prints the last lines each service of the stage logged.
func (s *stage) showLogs() {
	for _, svc := range s.services {
		tail := svc.logTail(6)
		if tail == "" {
			continue
		}
		fmt.Fprintf(s.out, "    last lines of %s:\n", svc.logPath)
		for _, line := range strings.Split(tail, "\n") {
			fmt.Fprintf(s.out, "      %s\n", truncate(line, 240))
		}
	}
}
