package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(envOf(nil))
	require.NoError(t, err)
	assert.Equal(t, ":8080", cfg.HTTPAddr)
	assert.Equal(t, "http://localhost:8080", cfg.PublicURL)
	assert.Equal(t, "info", cfg.LogLevel)
	assert.Equal(t, "json", cfg.LogFormat)
	assert.Equal(t, 100.0, cfg.APIRate)
	assert.Equal(t, 200, cfg.APIBurst)
	assert.Empty(t, cfg.TrustedProxies, "no proxy is trusted to name the client")
}

func TestLoadConfigReadsEveryVariable(t *testing.T) {
	cfg, err := loadConfig(envOf(map[string]string{
		"DATABASE_URL": "postgres://u@h/db?sslmode=disable", "HTTP_ADDR": "127.0.0.1:9000",
		"PUBLIC_URL": "https://optin.example.com/", "TWILIO_AUTH_TOKEN": "tok",
		"TWILIO_AUTH_TOKENS": "AC1:t1,AC2:t2", "LOG_LEVEL": "debug", "LOG_FORMAT": "text",
		"API_RATE": "2.5", "API_BURST": "5", "TRUSTED_PROXIES": "10.0.0.0/8,192.0.2.1",
	}))
	require.NoError(t, err)
	assert.Equal(t, "postgres://u@h/db?sslmode=disable", cfg.DatabaseURL)
	assert.Equal(t, "127.0.0.1:9000", cfg.HTTPAddr)
	assert.Equal(t, "https://optin.example.com", cfg.PublicURL, "a trailing slash is dropped so signed URLs match")
	assert.Equal(t, "tok", cfg.TwilioAuthToken)
	assert.Equal(t, map[string]string{"AC1": "t1", "AC2": "t2"}, cfg.TwilioAuthTokens)
	assert.Equal(t, "debug", cfg.LogLevel)
	assert.Equal(t, "text", cfg.LogFormat)
	assert.Equal(t, 2.5, cfg.APIRate)
	assert.Equal(t, 5, cfg.APIBurst)
	assert.Equal(t, []string{"10.0.0.0/8", "192.0.2.1"}, cfg.TrustedProxies)
}

func TestLoadConfigRefusesBadValues(t *testing.T) {
	tests := []struct {
		name, key, value, want string
	}{
		{"public URL with a path", "PUBLIC_URL", "https://h/optin", "PUBLIC_URL"},
		{"public URL without scheme", "PUBLIC_URL", "optin.example.com", "PUBLIC_URL"},
		{"token list without account sids", "TWILIO_AUTH_TOKENS", "tok1secret,tok2secret", "TWILIO_AUTH_TOKENS"},
		{"token pair without a token", "TWILIO_AUTH_TOKENS", "AC123:", "TWILIO_AUTH_TOKENS"},
		{"unknown log level", "LOG_LEVEL", "loud", "LOG_LEVEL"},
		{"unknown log format", "LOG_FORMAT", "xml", "LOG_FORMAT"},
		{"a rate of zero", "API_RATE", "0", "API_RATE"},
		{"a rate that is no number", "API_RATE", "fast", "API_RATE"},
		{"a negative burst", "API_BURST", "-1", "API_BURST"},
		{"a proxy that is no address", "TRUSTED_PROXIES", "10.0.0.0/8,lb.internal", "TRUSTED_PROXIES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(envOf(map[string]string{tt.key: tt.value}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "tok2", "a token never appears in an error")
		})
	}
}

func TestPublicURLFollowsTheListenAddressWhenUnset(t *testing.T) {
	tests := []struct{ name, addr, want string }{
		{"the default address", ":8080", "http://localhost:8080"},
		{"loopback on another port", "127.0.0.1:9090", "http://localhost:9090"},
		{"every interface", "0.0.0.0:8081", "http://localhost:8081"},
		{"IPv6 loopback", "[::1]:8082", "http://localhost:8082"},
		{"a named interface", "192.0.2.10:8080", "http://192.0.2.10:8080"},
		{"an IPv6 interface", "[2001:db8::1]:8080", "http://[2001:db8::1]:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig(envOf(map[string]string{"HTTP_ADDR": tt.addr}))
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.PublicURL)
		})
	}
	cfg, err := loadConfig(envOf(map[string]string{"HTTP_ADDR": "127.0.0.1:9090", "PUBLIC_URL": "https://tunnel.example"}))
	require.NoError(t, err)
	assert.Equal(t, "https://tunnel.example", cfg.PublicURL, "a PUBLIC_URL that is set wins")
}
