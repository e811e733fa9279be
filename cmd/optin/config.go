package main

import (
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/caarlos0/env/v11"

	"github.com/optin/optin/consent/webhooks"
)

// config is the service's environment (DESIGN §6).
type config struct {
	DatabaseURL      string            `env:"DATABASE_URL"`
	HTTPAddr         string            `env:"HTTP_ADDR" envDefault:":8080"`
	PublicURL        string            `env:"PUBLIC_URL"` // default: publicURLFor(HTTPAddr)
	TwilioAuthToken  string            `env:"TWILIO_AUTH_TOKEN"`
	TwilioAuthTokens map[string]string // TWILIO_AUTH_TOKENS: AC…:token,…
	LogLevel         string            `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat        string            `env:"LOG_FORMAT" envDefault:"json"`
	APIRate          float64           // API_RATE, default 100
	APIBurst         int               // API_BURST, default 200
	TrustedProxies   []string          `env:"TRUSTED_PROXIES" envSeparator:","`
	// SpoolDir keeps the opt-outs taken while PostgreSQL does not answer, until they are
	// replayed; it must outlive the process (a volume), one per replica.
	SpoolDir string `env:"SPOOL_DIR" envDefault:"spool"`
	// WebhookSecretKey seals webhook signing secrets (WEBHOOK_SECRET_KEY, base64 of 32 bytes);
	// without it no webhook can be created and none is delivered.
	WebhookSecretKey []byte
	// WebhookAllowPrivate lets webhooks reach private, loopback and link-local addresses
	// (WEBHOOK_ALLOW_PRIVATE): for development and tests only.
	WebhookAllowPrivate bool `env:"WEBHOOK_ALLOW_PRIVATE"`
}

// loadConfig reads the environment through getenv and checks every value.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	vars := map[string]string{}
	for _, k := range []string{"DATABASE_URL", "HTTP_ADDR", "PUBLIC_URL", "TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKENS", "LOG_LEVEL", "LOG_FORMAT",
		"TRUSTED_PROXIES", "SPOOL_DIR", "WEBHOOK_ALLOW_PRIVATE"} {
		if v := getenv(k); v != "" {
			vars[k] = v
		}
	}
	err := env.ParseWithOptions(&cfg, env.Options{Environment: vars})
	if err != nil {
		return cfg, fmt.Errorf("read environment: %w", err)
	}
	if cfg.TwilioAuthTokens, err = parseAuthTokens(getenv("TWILIO_AUTH_TOKENS")); err != nil {
		return cfg, err
	}
	if k := getenv("WEBHOOK_SECRET_KEY"); k != "" {
		if cfg.WebhookSecretKey, err = webhooks.ParseKey(k); err != nil {
			return cfg, fmt.Errorf("WEBHOOK_SECRET_KEY: %w", err)
		}
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = publicURLFor(cfg.HTTPAddr)
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return cfg, fmt.Errorf("PUBLIC_URL %q must be scheme://host[:port] with no path, as Twilio calls it", cfg.PublicURL)
	}
	if _, err := parseLevel(cfg.LogLevel); err != nil {
		return cfg, err
	}
	if cfg.LogFormat != "json" && cfg.LogFormat != "text" {
		return cfg, fmt.Errorf("LOG_FORMAT %q must be json or text", cfg.LogFormat)
	}
	if cfg.APIRate, err = positive(getenv("API_RATE"), "100", "API_RATE (requests per second per API key)"); err != nil {
		return cfg, err
	}
	burst, err := positive(getenv("API_BURST"), "200", "API_BURST (requests an API key may make at once)")
	if err != nil {
		return cfg, err
	}
	if cfg.APIBurst = int(burst); float64(cfg.APIBurst) != burst {
		return cfg, fmt.Errorf("API_BURST must be a whole number, got %v", burst)
	}
	for _, p := range cfg.TrustedProxies {
		if !validProxy(strings.TrimSpace(p)) {
			return cfg, fmt.Errorf("TRUSTED_PROXIES must be IP addresses or CIDR ranges separated by commas; %q is neither", p)
		}
	}
	return cfg, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("LOG_LEVEL %q must be debug, info, warn or error", s)
	}
	return l, nil
}

// parseAuthTokens reads TWILIO_AUTH_TOKENS: AccountSid:token pairs separated by commas.
func parseAuthTokens(s string) (map[string]string, error) {
	tokens := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		sid, tok, ok := strings.Cut(pair, ":")
		if !ok || !strings.HasPrefix(sid, "AC") || tok == "" {
			return nil, fmt.Errorf("TWILIO_AUTH_TOKENS must be AC…:token pairs separated by commas; %q is not one", maskToken(pair))
		}
		tokens[sid] = tok
	}
	return tokens, nil
}

// maskToken keeps a token out of error messages: only its first characters show.
func maskToken(s string) string {
	if len(s) <= 6 {
		return "…"
	}
	return s[:6] + "…"
}

// validProxy reports whether p is an IP address or a CIDR range.
func validProxy(p string) bool {
	if _, err := netip.ParseAddr(p); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(p)
	return err == nil
}

// positive reads a positive number, def when raw is empty.
func positive(raw, def, name string) (float64, error) {
	if raw == "" {
		raw = def
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s must be a positive number, got %q", name, raw)
	}
	return v, nil
}

// publicURLFor is the public URL of a server listening on addr, for when PUBLIC_URL is unset:
// a loopback or unspecified host is reached as localhost, any other by its address.
func publicURLFor(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if ip, err := netip.ParseAddr(host); host == "" || host == "localhost" || (err == nil && (ip.IsLoopback() || ip.IsUnspecified())) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
