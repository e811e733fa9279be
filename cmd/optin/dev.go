package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/fixtures"
)

const devUsage = `dev [--business FILE] [--addr HOST:PORT]

Everything a demo needs, in one command: a local PostgreSQL under .data/ (unless DATABASE_URL
is set), migrations, the demo business (or FILE), an API key (kept in .data/ and shown again
on every start), and the server on 127.0.0.1:8080. Prints the webhook URLs and what to try
next. Ctrl-C stops everything it started; the data survives a restart.

--addr (or HTTP_ADDR) moves everything: PUBLIC_URL follows the address unless it is set, and
the banner, the commands it prints and the simulator of this directory use it. One 'optin
dev' runs per directory; a second one refuses and leaves the first alone.
`

func runDev(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("dev", devUsage)
	file := fs.String("business", "", "business file to load instead of the demo business")
	addr := fs.String("addr", "", "address to listen on (default HTTP_ADDR, else 127.0.0.1:8080)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(c.getenv)
	if err != nil {
		return err
	}
	cfg.HTTPAddr = devListenAddr(*addr, c.getenv("HTTP_ADDR"))
	if c.getenv("LOG_FORMAT") == "" {
		cfg.LogFormat = "text"
	}
	if c.getenv("SPOOL_DIR") == "" {
		cfg.SpoolDir = filepath.Join(devDataDir, "spool")
	}
	b, err := devBusiness(c, *file)
	if err != nil {
		return err
	}
	lock, err := lockDevDir()
	if err != nil {
		return err
	}
	defer lock.release()
	ln, err := listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if c.getenv("PUBLIC_URL") == "" {
		cfg.PublicURL = publicURLFor(ln.Addr().String())
	}
	return runDevServer(ctx, c, cfg, b, ln)
}

// runDevServer starts the database (unless DATABASE_URL names one), loads the business and
// serves on ln until ctx ends.
func runDevServer(ctx context.Context, c *cli, cfg config, b consent.Business, ln net.Listener) error {
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
		tok, err := devToken()
		if err != nil {
			return err
		}
		cfg.TwilioAuthToken = tok
	}
	if cfg.WebhookSecretKey == nil {
		key, err := devWebhookKey()
		if err != nil {
			return err
		}
		cfg.WebhookSecretKey = key
	}
	if c.getenv("WEBHOOK_ALLOW_PRIVATE") == "" {
		cfg.WebhookAllowPrivate = true // receivers of a demo listen on this machine
	}
	store, _, err := openMigrated(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.ApplyBusiness(ctx, b); err != nil {
		return fmt.Errorf("load business %s: %w", b.ID, err)
	}
	key, reused, err := devAPIKey(ctx, store, b.ID)
	if err != nil {
		return err
	}
	removeURL, err := writeDevServerURL(cfg.PublicURL)
	if err != nil {
		return err
	}
	defer removeURL()
	banner := devBanner{cfg: cfg, business: b, key: key, keyReused: reused, tokenFromEnv: tokenFromEnv}
	return serveService(ctx, cfg, store, newLogger(c.stderr, cfg), ln, func(string) { banner.print(c.stdout) })
}

// devListenAddr is where 'optin dev' listens: --addr, else HTTP_ADDR, else loopback port 8080.
func devListenAddr(flagAddr, envAddr string) string {
	switch {
	case flagAddr != "":
		return flagAddr
	case envAddr != "":
		return envAddr
	}
	return "127.0.0.1:8080"
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
	var lines map[string]int
	var err error
	if file == "" {
		b, err = consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
		lines = consent.BusinessFileLines(fixtures.DemoBusiness)
	} else {
		b, lines, err = readBusinessFile(c, file)
	}
	if err != nil {
		return b, err
	}
	if problems := lintBusiness(b, lines); len(problems) > 0 {
		return b, fmt.Errorf("business %s fails the opt-in lint:\n  %s", b.ID, strings.Join(problems, "\n  "))
	}
	return b, nil
}
