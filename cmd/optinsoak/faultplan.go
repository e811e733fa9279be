package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// faultEvent is one thing done to PostgreSQL during the load.
type faultEvent struct {
	name  string    // stop, kill or freeze
	start time.Time // when it began
	back  time.Time // when PostgreSQL accepted connections again
}

// faultPlan is the order and length of the faults: a fast stop, a kill -9 and a freeze, with
// load running before, between and after them.
type faultPlan struct {
	lead    time.Duration // load before the first fault
	stopFor time.Duration // down after the fast stop
	gap     time.Duration // load between PostgreSQL's return and the next fault
	killFor time.Duration // down after the kill
	freeze  time.Duration // frozen
}

// acceptWait bounds the wait for a thawed server to accept a connection.
const acceptWait = 30 * time.Second

// injectFaults plays the plan against the phase's PostgreSQL and returns what it did. On an
// error the next phase brings PostgreSQL back (env.databaseUp).
func (s *stage) injectFaults(ctx context.Context, p faultPlan) ([]faultEvent, error) {
	var done []faultEvent
	if err := sleep(ctx, p.lead); err != nil {
		return done, err
	}
	ev, err := s.downFor(ctx, "stop", s.pg.StopFast, p.stopFor)
	if err != nil {
		return done, err
	}
	done = append(done, ev)
	if err := sleep(ctx, p.gap); err != nil {
		return done, err
	}
	if ev, err = s.downFor(ctx, "kill", s.pg.Kill, p.killFor); err != nil {
		return done, err
	}
	done = append(done, ev)
	if err := sleep(ctx, p.gap); err != nil {
		return done, err
	}
	ev = faultEvent{name: "freeze", start: time.Now()}
	if err := s.pg.Freeze(); err != nil {
		return done, fmt.Errorf("freeze PostgreSQL: %w", err)
	}
	slept := sleep(ctx, p.freeze)
	if err := s.pg.Thaw(); err != nil {
		return done, fmt.Errorf("thaw PostgreSQL: %w", err)
	}
	if slept != nil {
		return done, slept
	}
	if err := s.accepting(ctx); err != nil {
		return done, err
	}
	ev.back = time.Now()
	return append(done, ev), nil
}

// downFor takes PostgreSQL down with fault, keeps it down for d and restarts it on the same
// port; back is when the restarted server accepted a connection.
func (s *stage) downFor(ctx context.Context, name string, fault func() error, d time.Duration) (faultEvent, error) {
	ev := faultEvent{name: name, start: time.Now()}
	if err := fault(); err != nil {
		return ev, fmt.Errorf("%s PostgreSQL: %w", name, err)
	}
	if err := sleep(ctx, d); err != nil {
		return ev, err
	}
	if err := s.pg.Restart(ctx); err != nil {
		return ev, err
	}
	ev.back = time.Now()
	return ev, nil
}

// accepting waits until a new connection to PostgreSQL succeeds.
func (s *stage) accepting(ctx context.Context) error {
	db, err := sql.Open("postgres", s.pg.URL("postgres")+"&connect_timeout=2")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, acceptWait)
	defer cancel()
	for {
		if db.PingContext(ctx) == nil {
			return nil
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return fmt.Errorf("PostgreSQL did not accept connections within %s of its return", acceptWait)
		}
	}
}

// window is the time a fault lasted, from its start to PostgreSQL's return.
func (ev faultEvent) window() (time.Time, time.Time) { return ev.start, ev.back }
