package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// options are the knobs of one soak run.
type options struct {
	optin    string        // the optin binary under test
	duration time.Duration // shortest load window of the faults phase
	freeze   time.Duration // how long PostgreSQL stays frozen in the faults phase
	workers  int           // concurrent clients of the load phases
	messages int           // messages of the redelivery phase, each delivered three times
	only     []string      // phases to run; all when empty
	keep     bool          // keep the temporary directories when a check fails
}

// parseOptions reads the command line.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("optinsoak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var only string
	fs.StringVar(&o.optin, "optin", "", "the optin binary to soak (required), e.g. one built with go build ./cmd/optin")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "load window of the faults phase; it stretches to fit the faults")
	fs.DurationVar(&o.freeze, "freeze", 20*time.Second, "how long PostgreSQL is frozen with SIGSTOP in the faults phase")
	fs.IntVar(&o.workers, "workers", 32, "concurrent clients of the faults phase")
	fs.IntVar(&o.messages, "messages", 1000, "messages of the redelivery phase, each delivered three times at once")
	fs.StringVar(&only, "only", "", "comma-separated phases to run: "+strings.Join(phaseNames(), ", ")+" (default: all)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directories (PostgreSQL data, spools, service logs) when a check fails")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if only != "" {
		for _, n := range strings.Split(only, ",") {
			o.only = append(o.only, strings.TrimSpace(n))
		}
	}
	return o, o.validate()
}

// validate refuses options the soak cannot run with, before anything is started.
func (o options) validate() error {
	switch {
	case o.optin == "":
		return fmt.Errorf("--optin BINARY is required (make soak builds one)")
	case o.duration < time.Second || o.duration > 5*time.Minute:
		return fmt.Errorf("--duration must be in [1s, 5m]")
	case o.freeze < time.Second || o.freeze > 2*time.Minute:
		return fmt.Errorf("--freeze must be in [1s, 2m]")
	case o.workers < 1 || o.workers > 256:
		return fmt.Errorf("--workers must be in [1, 256]")
	case o.messages < 1 || o.messages > 100_000:
		return fmt.Errorf("--messages must be in [1, 100000]")
	}
	if fi, err := os.Stat(o.optin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("--optin %s is not an executable file", o.optin)
	}
	for _, n := range o.only {
		if phaseByName(n) == nil {
			return fmt.Errorf("--only: no phase %q; phases: %s", n, strings.Join(phaseNames(), ", "))
		}
	}
	return nil
}
