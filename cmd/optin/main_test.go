package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent/postgres/pgtest"
)

// optinBinary runs as the optin command when started with beOptin in its environment, so
// tests can start real optin processes without building a second binary.
var optinBinary = os.Args[0]

const beOptin = "OPTIN_TEST_RUN_AS_OPTIN=1"

func TestMain(m *testing.M) {
	if os.Getenv("OPTIN_TEST_RUN_AS_OPTIN") == "1" {
		main()
		return
	}
	gin.SetMode(gin.TestMode)
	pgtest.Main(m)
}

// runCLI runs one optin command line in-process and returns its exit status and output.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr, getenv: envOf(env)}
	code := c.main(context.Background(), args)
	return code, stdout.String(), stderr.String()
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"no command prints usage and fails", nil, 2, "Usage: optin COMMAND"},
		{"help lists every command", []string{"--help"}, 0, "simulate"},
		{"unknown command is a usage error", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"serve help names the environment", []string{"serve", "--help"}, 0, "DATABASE_URL"},
		{"business apply help names -f", []string{"business", "apply", "--help"}, 0, "-f"},
		{"business without subcommand is a usage error", []string{"business"}, 2, "apply or list"},
		{"business apply without -f is a usage error", []string{"business", "apply"}, 2, "-f FILE is required"},
		{"key create without business is a usage error", []string{"key", "create"}, 2, "--business ID is required"},
		{"key revoke of a word is a usage error", []string{"key", "revoke", "abc"}, 2, "positive number"},
		{"unknown flag is a usage error", []string{"migrate", "--colour"}, 2, "colour"},
		{"simulate without a subcommand is a usage error", []string{"simulate"}, 2, "call, sms or status"},
		{"simulate call without --from is a usage error", []string{"simulate", "call", "--token", "t"}, 2, "--from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.contains) {
				t.Fatalf("output lacks %q\nstdout: %s\nstderr: %s", tt.contains, out, errOut)
			}
		})
	}
}

func TestCommandsNeedADatabase(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, errOut := runCLI(t, nil, "", "key", "create", "--business", "acme")
	if code != 1 || !strings.Contains(errOut, "DATABASE_URL is not set") {
		t.Fatalf("exit %d, stderr %q: want a clear message about DATABASE_URL", code, errOut)
	}
}
