package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/optin/optin/consent"
)

// devBanner is what 'optin dev' prints once it serves: where Twilio should call, the API key,
// and commands to try, all at the address it serves.
type devBanner struct {
	cfg          config
	business     consent.Business
	key          string
	keyReused    bool // the key was kept from an earlier start
	tokenFromEnv bool // TWILIO_AUTH_TOKEN was set, rather than the made-up dev token
}

func (d devBanner) print(w io.Writer) {
	b, base := d.business, d.cfg.PublicURL
	fmt.Fprintf(w, "\noptin is serving %s (%s) at %s (listening on %s)\n\n", b.Name, b.ID, base, d.cfg.HTTPAddr)
	fmt.Fprintf(w, "Twilio console webhooks, all HTTP POST:\n")
	fmt.Fprintf(w, "  Voice:     A call comes in   POST %s/twilio/voice\n", base)
	fmt.Fprintf(w, "  Messaging: A message comes in POST %s/twilio/sms\n", base)
	fmt.Fprintf(w, "  Status callback URL          POST %s/twilio/status\n", base)
	fmt.Fprintf(w, "Numbers: %s\n", strings.Join(b.Numbers, ", "))
	if d.tokenFromEnv {
		fmt.Fprintf(w, "Requests are checked against TWILIO_AUTH_TOKEN.\n\n")
	} else {
		fmt.Fprintf(w, "Requests are signed and checked with a made-up token kept in %s, which the simulator\n"+
			"uses. For real Twilio traffic restart with TWILIO_AUTH_TOKEN set to your account's auth token\n"+
			"and PUBLIC_URL set to the https address of your tunnel.\n\n", devTokenFile)
	}
	kept := "new, kept in " + devAPIKeyFile + " for the next start"
	if d.keyReused {
		kept = "the same as last time, kept in " + devAPIKeyFile
	}
	fmt.Fprintf(w, "API key for %s (%s):\n  %s\n\n", b.ID, kept, d.key)
	fmt.Fprintf(w, "Try next, in another terminal in this directory (the simulator finds this server through %s):\n", devServerURLFile)
	fmt.Fprintf(w, "  go run ./cmd/optin simulate call --from +14155552671 --keys \"2,1\"\n")
	fmt.Fprintf(w, "  go run ./cmd/optin simulate sms --from +14155552671 \"YES ORDERS\"\n")
	fmt.Fprintf(w, "  curl -H \"Authorization: Bearer %s\" %s/v1/consents/+14155552671\n\n", d.key, base)
	fmt.Fprintf(w, "Ctrl-C stops the server and the database.\n")
}
