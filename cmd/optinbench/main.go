// Package main is optinbench, which measures optin on this machine: webhook and API throughput
// and latency over loopback against a real PostgreSQL (fsync on), each printed as a ratio to a
// baseline measured in the same run, because on a machine of two shared, noisy cores absolute
// numbers mean little. The baselines are a bare route through the service's own router, the
// rows a STOP must write in one direct transaction (also through pgbench when it is installed),
// a direct primary-key select, and COPY … TO STDOUT of the exported rows through psql.
//
// It starts its own throwaway PostgreSQL unless --database-url is given, serves on 127.0.0.1
// only, bounds every figure in time and stops every process it started. `optinbench serve`
// is the child server the export figure measures the memory of; `optinbench import` measures
// a bulk import of generated rows into a fresh database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "serve":
		err = serveChild(ctx, os.Args[2:], os.Stdin, os.Stdout)
	case len(os.Args) > 1 && os.Args[1] == "import":
		err = runImportBench(ctx, os.Args[2:], os.Stdout, os.Stderr)
	default:
		err = run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "optinbench: %v\n", err)
		os.Exit(1)
	}
}

// errGoalsMissed is returned under --check when a figure misses its goal.
var errGoalsMissed = errors.New("goals missed")

func run(ctx context.Context, args []string, out, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.cpuprofile != "" {
		stopProfile, err := startProfile(o.cpuprofile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	if err := checkOnly(o.only); err != nil {
		return err
	}
	started := time.Now()
	e, err := setup(ctx, o)
	if err != nil {
		return err
	}
	defer e.close()
	steps := selectSteps(e.steps(), o.only)
	fmt.Fprintf(out, "optinbench: %d workers, %s window after %s warm-up per load figure, loopback HTTP, PostgreSQL %s (fsync on)\n",
		o.workers, o.duration, o.warmup, e.pgVersion)
	if err := e.seed(ctx, steps, out); err != nil {
		return err
	}
	figs, order, err := measureSteps(ctx, steps, o, e.seeded.rows, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(out)
	writeTable(out, order, figs)
	fmt.Fprintf(out, "\nratio = value / baseline value, both measured in this run; run took %s\n", time.Since(started).Round(time.Second))
	if o.reduced() && e.seeded.rows > 0 {
		fmt.Fprintf(out, "reduced: the figures so marked ran over %d consent rows, not %d\n", e.seeded.rows, fullConsents)
	}
	if miss := missed(figs); o.check && len(miss) > 0 {
		return fmt.Errorf("%w: %s", errGoalsMissed, strings.Join(miss, "; "))
	}
	return nil
}

// measureSteps runs the steps in order and gathers their figures, in the order first made; a
// baseline's second window replaces its first figure with both windows together.
func measureSteps(ctx context.Context, steps []step, o options, seededRows int, progress io.Writer) (map[string]figure, []string, error) {
	figs, order := map[string]figure{}, []string{}
	for _, s := range steps {
		fmt.Fprintf(progress, "optinbench: measuring %s\n", s.name)
		got, err := s.run(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.name, err)
		}
		for _, f := range got {
			if s.big && o.reduced() {
				f.note += fmt.Sprintf(" [reduced: %d-row table]", seededRows)
			}
			if _, seen := figs[f.name]; !seen {
				order = append(order, f.name)
			}
			figs[f.name] = f
		}
	}
	return figs, order, nil
}

// step measures one figure, or a few.
type step struct {
	name    string
	also    []string // further figures it makes
	needs   []string // the figures it is compared with, measured with it
	repeats string   // the baseline this step measures again, at the end of its group
	big     bool     // reads the seeded list and export business
	run     func(ctx context.Context) ([]figure, error)
}

// steps lists every figure in the order measured, in groups: a baseline, the figures divided
// by it, the baseline again.
func (e *env) steps() []step {
	httpBase, httpAgain := bracket(e.httpBaseline())
	txnBase, txnAgain := bracket(e.directTxn())
	pkBase, pkAgain := bracket(e.directPKSelect())
	listBase, listAgain := bracket(e.firstPage())
	pkBase.big, pkAgain.big, listBase.big, listAgain.big = true, true, true, true
	return []step{
		httpBase, e.ivrMenu(), e.ivrStep("ivr_step_nothing", "*"), e.ivrStep("ivr_step_disclosure", "2"), httpAgain,
		txnBase, e.pgbenchTxn(), e.smsStop(), e.smsStopSpread(), e.whatsAppStop(), e.keywordThenYes(), e.smsHelp(), txnAgain,
		pkBase, e.apiLookup(), pkAgain,
		listBase, e.deepPage(), listAgain,
		e.exportNDJSON(),
	}
}

// selectSteps keeps the steps making a figure named in only, the steps making the figures
// they are compared with, and the second windows of those baselines.
func selectSteps(all []step, only []string) []step {
	if len(only) == 0 {
		return all
	}
	want := map[string]bool{}
	for _, n := range only {
		want[strings.TrimSpace(n)] = true
	}
	makes := func(s step) bool {
		return want[s.name] || slices.ContainsFunc(s.also, func(n string) bool { return want[n] })
	}
	for _, s := range all {
		if makes(s) {
			for _, n := range s.needs {
				want[n] = true
			}
		}
	}
	var out []step
	for _, s := range all {
		if makes(s) || want[s.repeats] {
			out = append(out, s)
		}
	}
	return out
}

func stepNames(steps []step) []string {
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = s.name
	}
	return names
}

// figureNames lists the figures the steps make, each once.
func figureNames(steps []step) []string {
	var names []string
	for _, s := range steps {
		if s.repeats == "" {
			names = append(append(names, s.name), s.also...)
		}
	}
	return names
}

// checkOnly refuses names in only that no step makes, before anything is started.
func checkOnly(only []string) error {
	biz, err := deriveBusinesses()
	if err != nil {
		return err
	}
	known := figureNames((&env{biz: biz}).steps())
	var unknown []string
	for _, n := range only {
		if !slices.Contains(known, strings.TrimSpace(n)) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("--only: no figure %s; figures: %s", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return nil
}

func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("start profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
