package postgres

import "testing"

func TestOpenAddsSSLModeOnlyWhenTheURLHasNone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"URL without sslmode", "postgres://u:p@db:5432/optin", "postgres://u:p@db:5432/optin?sslmode=disable"},
		{"URL with other parameters", "postgresql://db/optin?connect_timeout=5",
			"postgresql://db/optin?connect_timeout=5&sslmode=disable"},
		{"URL asking for TLS", "postgres://db/optin?sslmode=verify-full", "postgres://db/optin?sslmode=verify-full"},
		{"key=value string", "host=db dbname=optin", "host=db dbname=optin sslmode=disable"},
		{"key=value string with sslmode", "host=db sslmode=require", "host=db sslmode=require"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WithSSLMode(tt.in); got != tt.want {
				t.Errorf("WithSSLMode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
