package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/optin/optin/channels/twilio"
)

const simulateUsage = `simulate call --from +1… [--to N] [--keys "2,1"] [--url U]
       optin simulate sms --from +1… [--to N] [--whatsapp] [--url U] ["MESSAGE"]
       optin simulate status --to PHONE --error CODE [--from BUSINESS_NUMBER] [--whatsapp] [--url U]

Plays Twilio against a running optin server: every request is signed exactly as Twilio signs
it, with TWILIO_AUTH_TOKEN (or the token 'optin dev' keeps in .data/). The server is --url,
else PUBLIC_URL, else the address of the 'optin dev' running in this directory, else
http://localhost:8080.

call    places a call, prints what every <Say> says and reads keys from the terminal, or from
        --keys (comma-separated lines; an empty one is silence). Every key of a line is
        pressed in order: "12" answers one menu with 1 and the next with 2. Follows <Gather>,
        <Redirect>, <Hangup>.
sms     sends one message and prints the reply; with no MESSAGE it is an interactive chat.
status  plays the status callback Twilio sends when a message to PHONE fails with CODE:
        21610 (the recipient opted out at Twilio), 63033 (they stopped marketing from this
        WhatsApp sender), 63049 (Meta held a marketing message back), 63014 (undeliverable).

After each call, message or callback the simulator prints what the ledger recorded for it
(read from DATABASE_URL, or the 'optin dev' database of this directory), and why a message
got no reply.
`

// devTokenFile is where `optin dev` keeps the Twilio auth token it made up, so the simulator
// signs with the same token without the user copying it around.
var devTokenFile = filepath.Join(devDataDir, "twilio_auth_token")

// simulator plays Twilio's side of a webhook conversation.
type simulator struct {
	c       *cli
	http    *http.Client
	token   string
	account string
	base    string // scheme://host[:port] of the server, as PUBLIC_URL says
}

func runSimulate(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		c.flags("simulate", simulateUsage).Usage()
		if len(args) == 0 {
			return fmt.Errorf("%w: simulate needs call, sms or status", errUsage)
		}
		return nil
	}
	switch args[0] {
	case "call":
		return runSimulateCall(ctx, c, args[1:])
	case "sms":
		return runSimulateSMS(ctx, c, args[1:])
	case "status":
		return runSimulateStatus(ctx, c, args[1:])
	}
	return fmt.Errorf("%w: unknown simulate subcommand %q (call, sms, status)", errUsage, args[0])
}

// simFlags are the flags every simulate subcommand shares: where the server is and how to
// sign for it.
type simFlags struct{ url, token, account *string }

// demoNumber is the demo business's Twilio number, the simulator's default business number.
const demoNumber = "+15005550006"

func addSimFlags(c *cli, fs *flag.FlagSet) simFlags {
	return simFlags{
		url:     fs.String("url", defaultServerURL(c), "the server's public URL (PUBLIC_URL)"),
		token:   fs.String("token", "", "Twilio auth token (default: TWILIO_AUTH_TOKEN, else the 'optin dev' token)"),
		account: fs.String("account", "AC00000000000000000000000000000000", "AccountSid to send"),
	}
}

// defaultServerURL is where the simulator sends by default: PUBLIC_URL, else the URL the
// 'optin dev' of this directory serves at, else the default public URL.
func defaultServerURL(c *cli) string {
	if u := c.getenv("PUBLIC_URL"); u != "" {
		return u
	}
	if u := readDevServerURL(); u != "" {
		return u
	}
	return "http://localhost:8080"
}

func (f simFlags) simulator(c *cli) (*simulator, error) {
	token := *f.token
	if token == "" {
		token = c.getenv("TWILIO_AUTH_TOKEN")
	}
	if token == "" {
		if b, err := os.ReadFile(devTokenFile); err == nil {
			token = strings.TrimSpace(string(b))
		}
	}
	if token == "" {
		return nil, errors.New("no Twilio auth token: set TWILIO_AUTH_TOKEN to the server's token, or pass --token")
	}
	u, err := url.Parse(strings.TrimRight(*f.url, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: --url %q must be scheme://host[:port]", errUsage, *f.url)
	}
	return &simulator{c: c, http: &http.Client{Timeout: 20 * time.Second}, token: token, account: *f.account, base: u.String()}, nil
}

// post sends one signed webhook request and returns the TwiML body.
func (s *simulator) post(ctx context.Context, target string, form url.Values) (*twimlDoc, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilio.Signature(s.token, target, form))
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no optin server answers at %s (start one with 'make run'): %w", s.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusForbidden {
			hint = " (the signature was refused: use the server's TWILIO_AUTH_TOKEN and its PUBLIC_URL as --url)"
		}
		return nil, fmt.Errorf("server answered %d for POST %s%s", resp.StatusCode, target, hint)
	}
	return parseTwiML(body)
}

// sid makes a Twilio-shaped id: a two-letter prefix and 32 hex digits.
func sid(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// lineReader reads answers from the terminal, one line at a time.
type lineReader struct{ sc *bufio.Scanner }

func (r *lineReader) next(w io.Writer, prompt string) (string, bool) {
	fmt.Fprint(w, prompt)
	if !r.sc.Scan() {
		fmt.Fprintln(w)
		return "", false
	}
	return strings.TrimSpace(r.sc.Text()), true
}

// isFlagSet reports whether the named flag was given on the command line.
func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
