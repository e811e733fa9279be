// Package main is the optin command. It turns phone calls and text messages into provable,
// per-category consent to receive WhatsApp messages, and serves that consent to businesses
// through an API.
//
// It is the only place that builds concrete things (configuration, logger, database pool, HTTP
// server) and hands them to the packages that use them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"
)

// cli carries the process's streams and environment, so commands can run inside tests.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one subcommand of optin.
type command struct {
	summary string
	run     func(ctx context.Context, c *cli, args []string) error
}

// errUsage marks errors that come from a wrong invocation; they exit with status 2.
var errUsage = errors.New("usage")

func commands() map[string]command {
	return map[string]command{
		"serve":    {"run the HTTP service (migrates first)", runServe},
		"migrate":  {"apply pending database migrations and exit", runMigrate},
		"business": {"apply or list business files (apply -f FILE, list)", runBusiness},
		"key":      {"create, list or revoke API keys (create --business ID, list, revoke ID)", runKey},
		"dev":      {"start a local PostgreSQL, load the demo business and serve", runDev},
		"simulate": {"play Twilio against a running server (call, sms, status)", runSimulate},
		"webhook":  {"add, list or remove webhook receivers (add --business ID --url URL, list, remove)", runWebhook},
		"version":  {"print the version, the commit and the Go version of this build", runVersion},
		"import":   {"import consents given before optin (--business ID -f FILE, CSV or NDJSON)", runImport},
		"export":   {"write a business's consents to a file (--business ID -o FILE)", runExport},
	}
}

func main() {
	gin.SetMode(gin.ReleaseMode)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(c.main(ctx, os.Args[1:]))
}

// main runs one command line and returns the exit status.
func (c *cli) main(ctx context.Context, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		c.usage(cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(c.stderr, "optin: unknown command %q\n\n", args[0])
		c.usage(cmds)
		return 2
	}
	err := cmd.run(ctx, c, args[1:])
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(c.stderr, "optin %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(c.stderr, "optin %s: %v\n", args[0], err)
		return 1
	}
}

func (c *cli) usage(cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("Usage: optin COMMAND [flags]\n\nCommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-9s %s\n", n, cmds[n].summary)
	}
	b.WriteString("\nRun 'optin COMMAND --help' for the flags of a command.\n")
	fmt.Fprint(c.stdout, b.String())
}

// flags returns a flag set for a (sub)command that prints its help to stdout.
func (c *cli) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fs.SetOutput(c.stdout)
		fmt.Fprintf(c.stdout, "Usage: optin %s\n", usage)
		fs.PrintDefaults()
		fs.SetOutput(c.stderr)
	}
	return fs
}

// parse parses flags and turns flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}
