// Package main is optinbench, which measures optin on this machine: webhook and API throughput
// and latency over loopback against a real PostgreSQL, each printed as a ratio to a baseline
// measured in the same run (a bare HTTP route through the same router, and a bare one-row
// transaction in the same database), because absolute numbers on shared machines mean little.
//
// It starts its own throwaway PostgreSQL unless --database-url is given, serves on 127.0.0.1
// only, and every scenario stops after --duration.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "optinbench: %v\n", err)
		os.Exit(1)
	}
}

// options are the knobs of one benchmark run.
type options struct {
	duration    time.Duration
	workers     int
	databaseURL string
	only        []string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("optinbench", flag.ContinueOnError)
	var o options
	var only, cpuprofile string
	fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (server and clients) to this file")
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "how long each scenario runs")
	fs.IntVar(&o.workers, "workers", 8, "concurrent clients per scenario")
	fs.StringVar(&o.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL to use (default: a throwaway local one)")
	fs.StringVar(&only, "only", "", "comma-separated scenario names to run (default: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if only != "" {
		o.only = strings.Split(only, ",")
	}
	if o.duration <= 0 || o.duration > 5*time.Minute || o.workers < 1 || o.workers > 256 {
		return fmt.Errorf("--duration must be in (0, 5m] and --workers in [1, 256]")
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return fmt.Errorf("create profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("start profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	env, err := setup(ctx, o, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer env.close()
	fmt.Fprintf(out, "optinbench: %d workers, %s per scenario, loopback HTTP, PostgreSQL %s\n\n",
		o.workers, o.duration, env.pgVersion)
	results := map[string]result{}
	for _, sc := range scenarios(env) {
		if !selected(o.only, sc.name) {
			continue
		}
		r, err := measure(ctx, sc, o)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", sc.name, err)
		}
		results[sc.name] = r
		fmt.Fprintln(out, r.line(results[sc.baseline]))
	}
	fmt.Fprintln(out, "\nratio = throughput relative to the baseline named in brackets, measured in this run")
	return nil
}

func selected(only []string, name string) bool {
	if len(only) == 0 {
		return true
	}
	for _, n := range only {
		if n == name || strings.HasPrefix(name, "baseline") {
			return true
		}
	}
	return false
}
