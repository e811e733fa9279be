package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres/localpg"
	"github.com/optin/optin/fixtures"
)

const devUsage = `dev [--business FILE]

Everything a demo needs, in one command: a local PostgreSQL under .data/ (unless DATABASE_URL
is set), migrations, the demo business (or FILE), a fresh API key, and the server on
127.0.0.1:8080 (HTTP_ADDR). Prints the webhook URLs and what to try next. Ctrl-C stops
everything it started; the data survives a restart.
`

func runDev(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("dev", devUsage)
	file := fs.String("business", "", "business file to load instead of the demo business")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(c.getenv)
	if err != nil {
		return err
	}
	if c.getenv("HTTP_ADDR") == "" {
		cfg.HTTPAddr = "127.0.0.1:8080"
	}
	if c.getenv("LOG_FORMAT") == "" {
		cfg.LogFormat = "text"
	}
	logger := newLogger(c.stderr, cfg)
	if cfg.DatabaseURL == "" {
		stop, url, err := startDevDatabase(ctx, c)
		if err != nil {
			return err
		}
		defer stop()
		cfg.DatabaseURL = url
	}
	tokenFromEnv := cfg.TwilioAuthToken != ""
	if !tokenFromEnv {
		if cfg.TwilioAuthToken, err = devToken(); err != nil {
			return err
		}
	}
	b, err := devBusiness(c, *file)
	if err != nil {
		return err
	}
	store, _, err := openMigrated(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.ApplyBusiness(ctx, b); err != nil {
		return fmt.Errorf("load business %s: %w", b.ID, err)
	}
	key, _, err := store.CreateAPIKey(ctx, b.ID, "dev")
	if err != nil {
		return fmt.Errorf("create API key: %w", err)
	}
	banner := func(addr string) { printDevBanner(c, cfg, b, key, tokenFromEnv) }
	if c.getenv("SPOOL_DIR") == "" {
		cfg.SpoolDir = filepath.Join(devDataDir, "spool")
	}
	return serveService(ctx, cfg, store, logger, banner)
}

// startDevDatabase starts (or restarts) the PostgreSQL cluster under .data/pg and records its
// URL for the other commands run in this directory.
func startDevDatabase(ctx context.Context, c *cli) (stop func(), url string, err error) {
	dir, err := filepath.Abs(filepath.Join(devDataDir, "pg"))
	if err != nil {
		return nil, "", fmt.Errorf("find data directory: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, "", fmt.Errorf("create %s: %w", devDataDir, err)
	}
	fmt.Fprintf(c.stdout, "Starting a local PostgreSQL in %s …\n", filepath.Join(devDataDir, "pg"))
	srv, err := localpg.Start(ctx, localpg.Options{DataDir: dir})
	if err != nil {
		return nil, "", fmt.Errorf("start local PostgreSQL (or set DATABASE_URL): %w", err)
	}
	if err := srv.CreateDatabase(ctx, "optin"); err != nil {
		srv.Stop()
		return nil, "", fmt.Errorf("create database: %w", err)
	}
	url = srv.URL("optin")
	if err := os.WriteFile(devURLFile, []byte(url+"\n"), 0o600); err != nil {
		srv.Stop()
		return nil, "", fmt.Errorf("record database URL: %w", err)
	}
	return func() {
		os.Remove(devURLFile)
		if err := srv.Stop(); err != nil {
			fmt.Fprintf(c.stderr, "stop local PostgreSQL: %v\n", err)
		}
	}, url, nil
}

// devToken is the Twilio auth token of the dev server: kept in .data/ so the simulator can
// sign with it, made up on first use.
func devToken() (string, error) {
	b, err := os.ReadFile(devTokenFile)
	if err == nil && len(bytes.TrimSpace(b)) > 0 {
		return string(bytes.TrimSpace(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) && err != nil {
		return "", fmt.Errorf("read dev token: %w", err)
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("make dev token: %w", err)
	}
	tok := hex.EncodeToString(raw)
	if err := os.MkdirAll(devDataDir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", devDataDir, err)
	}
	if err := os.WriteFile(devTokenFile, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("save dev token: %w", err)
	}
	return tok, nil
}

// devBusiness is the business file given, or the embedded demo business, linted.
func devBusiness(c *cli, file string) (consent.Business, error) {
	var b consent.Business
	var err error
	if file == "" {
		b, err = consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	} else {
		b, err = readBusinessFile(c, file)
	}
	if err != nil {
		return b, err
	}
	if problems := lintBusiness(b); len(problems) > 0 {
		return b, fmt.Errorf("business %s fails the opt-in lint:\n  %s", b.ID, strings.Join(problems, "\n  "))
	}
	return b, nil
}

func printDevBanner(c *cli, cfg config, b consent.Business, key string, tokenFromEnv bool) {
	w, base := c.stdout, cfg.PublicURL
	fmt.Fprintf(w, "\noptin is serving %s (%s) at %s\n\n", b.Name, b.ID, base)
	fmt.Fprintf(w, "Twilio console webhooks, all HTTP POST:\n")
	fmt.Fprintf(w, "  Voice:     A call comes in   POST %s/twilio/voice\n", base)
	fmt.Fprintf(w, "  Messaging: A message comes in POST %s/twilio/sms\n", base)
	fmt.Fprintf(w, "  Status callback URL          POST %s/twilio/status\n", base)
	fmt.Fprintf(w, "Numbers: %s\n", strings.Join(b.Numbers, ", "))
	if tokenFromEnv {
		fmt.Fprintf(w, "Requests are checked against TWILIO_AUTH_TOKEN.\n\n")
	} else {
		fmt.Fprintf(w, "Requests are signed and checked with a made-up token kept in %s, which the simulator\n"+
			"uses. For real Twilio traffic restart with TWILIO_AUTH_TOKEN set to your account's auth token\n"+
			"and PUBLIC_URL set to the https address of your tunnel.\n\n", devTokenFile)
	}
	fmt.Fprintf(w, "API key for %s (shown once):\n  %s\n\n", b.ID, key)
	fmt.Fprintf(w, "Try next, in another terminal in this directory:\n")
	fmt.Fprintf(w, "  go run ./cmd/optin simulate call --from +14155552671 --keys \"2,1\"\n")
	fmt.Fprintf(w, "  go run ./cmd/optin simulate sms --from +14155552671 \"YES ORDERS\"\n")
	fmt.Fprintf(w, "  curl -H \"Authorization: Bearer %s\" %s/v1/consents/+14155552671\n\n", key, base)
	fmt.Fprintf(w, "Ctrl-C stops the server and the database.\n")
}
