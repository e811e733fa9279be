package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// options are the knobs of one benchmark run.
type options struct {
	duration    time.Duration // measured window of each load figure
	warmup      time.Duration // load sent before the window opens, not counted
	workers     int
	databaseURL string
	only        []string
	cpuprofile  string
	quick       bool
	check       bool
	consents    int // rows of the list and export business
	seedEvents  int // extra ledger events spread over the traffic businesses
	exportRuns  int // export and COPY each run this many times; the best counts
}

// Defaults of a full run (about three minutes) and of --quick (under a minute). The quick
// run measures the list, export and COPY figures over a smaller table: those figures are
// marked reduced in the table.
var (
	fullRun  = options{duration: 5 * time.Second, warmup: time.Second, consents: 1_000_000, exportRuns: 2}
	quickRun = options{duration: 1200 * time.Millisecond, warmup: 300 * time.Millisecond, consents: 100_000, exportRuns: 1}
)

// fullConsents is the table size the goals are written for.
const fullConsents = 1_000_000

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("optinbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var only string
	fs.BoolVar(&o.quick, "quick", false, "short run (under a minute): shorter windows and a 100k-row table")
	fs.BoolVar(&o.check, "check", false, "exit 1 when a figure misses its goal")
	fs.DurationVar(&o.duration, "duration", fullRun.duration, "measured window of each load figure")
	fs.DurationVar(&o.warmup, "warmup", fullRun.warmup, "load sent before each window opens, not counted")
	fs.IntVar(&o.workers, "workers", 64, "concurrent clients (HTTP connections, database connections, pgbench clients)")
	fs.IntVar(&o.consents, "consents", fullRun.consents, "consent rows of the list and export business")
	fs.IntVar(&o.seedEvents, "seed-events", 0, "extra events (e.g. 1000000, 10000000) in the ledger of the traffic businesses before measuring")
	fs.StringVar(&o.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "an empty PostgreSQL database to use (default: a throwaway local server)")
	fs.StringVar(&only, "only", "", "comma-separated figures to measure, with the baselines they are compared with (default: all)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of this process (server and load generator) to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.exportRuns = fullRun.exportRuns
	if o.quick {
		o.exportRuns = quickRun.exportRuns
		if !set["duration"] {
			o.duration = quickRun.duration
		}
		if !set["warmup"] {
			o.warmup = quickRun.warmup
		}
		if !set["consents"] {
			o.consents = quickRun.consents
		}
	}
	if only != "" {
		o.only = strings.Split(only, ",")
	}
	return o, o.validate()
}

func (o options) validate() error {
	switch {
	case o.duration <= 0 || o.duration > 5*time.Minute:
		return fmt.Errorf("--duration must be in (0, 5m]")
	case o.warmup < 0 || o.warmup > time.Minute:
		return fmt.Errorf("--warmup must be in [0, 1m]")
	case o.workers < 1 || o.workers > 256:
		return fmt.Errorf("--workers must be in [1, 256]")
	case o.consents < 3000 || o.consents > 20_000_000:
		return fmt.Errorf("--consents must be in [3000, 20000000]")
	case o.seedEvents < 0 || o.seedEvents > 100_000_000:
		return fmt.Errorf("--seed-events must be in [0, 100000000]")
	}
	return nil
}

// reduced reports whether the table figures run over fewer rows than the goals assume.
func (o options) reduced() bool { return o.consents < fullConsents }
