package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/caarlos0/env/v11"
)

// config is the service's environment (DESIGN §6).
type config struct {
	DatabaseURL      string            `env:"DATABASE_URL"`
	HTTPAddr         string            `env:"HTTP_ADDR" envDefault:":8080"`
	PublicURL        string            `env:"PUBLIC_URL" envDefault:"http://localhost:8080"`
	TwilioAuthToken  string            `env:"TWILIO_AUTH_TOKEN"`
	TwilioAuthTokens map[string]string // TWILIO_AUTH_TOKENS: AC…:token,…
	LogLevel         string            `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat        string            `env:"LOG_FORMAT" envDefault:"json"`
}

// loadConfig reads the environment through getenv and checks every value.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	vars := map[string]string{}
	for _, k := range []string{"DATABASE_URL", "HTTP_ADDR", "PUBLIC_URL", "TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKENS", "LOG_LEVEL", "LOG_FORMAT"} {
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
