package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// contractVars are the environment variables the service reads (DESIGN §6): none leaks in
// from the harness's own environment.
var contractVars = []string{"DATABASE_URL", "HTTP_ADDR", "PUBLIC_URL", "TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKENS",
	"TWILIO_ACCOUNT_SID", "TWILIO_API_URL", "API_RATE", "API_BURST", "SPOOL_DIR", "WEBHOOK_ALLOW_PRIVATE",
	"SIGNING_KEY", "LOG_LEVEL", "LOG_FORMAT", "TRUSTED_PROXIES"}

// serviceEnv is this process's environment without the service's variables, plus set.
func serviceEnv(set map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(contractVars, name) {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// optinCLI runs one optin command against the phase's database and returns the last line
// it printed, where `key create` puts the key.
func (s *stage) optinCLI(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.opts.optin, args...)
	cmd.Env = serviceEnv(map[string]string{"DATABASE_URL": s.dbURL})
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("optin %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}

// freePort returns a TCP port of 127.0.0.1 nothing listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
