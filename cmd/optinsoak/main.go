// Package main is optinsoak, a bounded fault-injection soak of the real optin binary. It
// starts a durable local PostgreSQL (fsync on) and `optin serve` subprocesses on 127.0.0.1,
// drives signed Twilio webhooks and business API requests at them, and meanwhile stops
// PostgreSQL fast, kills it with SIGKILL and freezes it with SIGSTOP. Then it checks in the
// ledger, with SQL, that every write the service acknowledged was recorded exactly once.
//
// It runs in phases (faults, redelivery, replicas, restart), each printing one result line,
// then a summary table of every figure with its limit; it exits 1 when any check fails. Every
// wait is bounded, and it signals only the processes it started, by PID.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// main runs the soak; it exits 1 when a check failed and 2 when the soak could not run.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errChecksFailed):
		os.Exit(1)
	case err != nil:
		fmt.Fprintf(os.Stderr, "optinsoak: %v\n", err)
		os.Exit(2)
	}
}

// errChecksFailed means the soak ran and at least one check failed; the table says which.
var errChecksFailed = errors.New("checks failed")

// run parses the flags, prepares the cluster, runs the chosen phases and prints the table.
func run(ctx context.Context, args []string, out, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	e, err := newEnv(ctx, o, out)
	if err != nil {
		return err
	}
	var all []check
	for _, p := range selectPhases(o.only) {
		if ctx.Err() != nil {
			break
		}
		checks := e.runPhase(ctx, p)
		all = append(all, checks...)
	}
	failed := anyFailed(all) || ctx.Err() != nil
	e.close(failed)
	fmt.Fprintln(out)
	writeTable(out, all)
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if failed {
		return errChecksFailed
	}
	return nil
}
