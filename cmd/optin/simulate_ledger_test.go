package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
)

// simServer is an optin server with the demo business, served in-process on loopback for
// the simulator to play against, and the environment a simulate command line needs to
// reach it and its database.
type simServer struct{ env map[string]string }

const simToken = "sim-token-5a4b3c"

func startSimServer(t *testing.T) simServer {
	t.Helper()
	dbURL := pgtest.NewURL(t)
	require.Equal(t, 0, first(runCLI(t, map[string]string{"DATABASE_URL": dbURL}, "", "business", "apply", "-f", demoFile)))
	store, err := postgres.Open(context.Background(), dbURL)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String()
	cfg, err := loadConfig(envOf(map[string]string{"PUBLIC_URL": publicURL, "TWILIO_AUTH_TOKEN": simToken}))
	require.NoError(t, err)
	srv.Config.Handler = newEngine(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.Start()
	t.Cleanup(srv.Close)
	return simServer{env: map[string]string{"DATABASE_URL": dbURL, "PUBLIC_URL": publicURL, "TWILIO_AUTH_TOKEN": simToken}}
}

// simulate runs one simulate command line against the server and returns its output.
func (s simServer) simulate(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLI(t, s.env, "", append([]string{"simulate"}, args...)...)
}

func TestSimulatedCallPressesEveryKeyOfALineAndShowsWhatTheLedgerRecorded(t *testing.T) {
	srv := startSimServer(t)
	code, out, errOut := srv.simulate(t, "call", "--from", "+14155552671", "--keys", "21")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "keys: 2\n", "the first key of the line answers the menu")
	assert.Contains(t, out, "keys: 1\n", "the second agrees to the disclosure it chose")
	assert.Regexp(t, `ledger: event \d+: opt_in offers \(ivr, keypress, input "1"\)`, out)
}

func TestSimulatedCallRefusesKeysThatAreNoPhoneKeysBeforeCalling(t *testing.T) {
	srv := startSimServer(t)
	code, out, errOut := srv.simulate(t, "call", "--from", "+14155552671", "--keys", "hello")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `'h' is not a phone key`)
	assert.NotContains(t, out, "Calling", "no call was placed")
}

func TestSimulatedCallThatRecordsNothingSaysSo(t *testing.T) {
	srv := startSimServer(t)
	code, out, errOut := srv.simulate(t, "call", "--from", "+14155550188", "--keys", ",,")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "ledger: nothing recorded for this call")
}

func TestSimulatedMessagesShowTheLedgerAndWhyThereWasNoReply(t *testing.T) {
	srv := startSimServer(t)
	steps := []struct {
		name, number, text string
		want               []string
		wantNot            []string // patterns
	}{
		{"a keyword gets the disclosure and records nothing", "+15005550006", "ORDERS",
			[]string{"reply: ", "ledger: nothing recorded for this message\n"}, []string{"no reply"}},
		{"YES records the opt-in of the pending category", "+15005550006", "YES",
			[]string{`opt_in order_updates (sms, keyword, input "YES")`}, nil},
		{"STOP records an opt-out of every category", "+15005550006", "STOP",
			[]string{`opt_out order_updates (sms, keyword, input "STOP")`, `opt_out offers (sms, keyword, input "STOP")`}, nil},
		{"a repeat STOP gets no reply because the number is opted out of everything", "+15005550006", "STOP",
			[]string{"ledger: nothing recorded for this message: the number was already opted out of every category",
				"no reply: the number is opted out of everything"}, []string{"(?m)^reply: "}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, out, errOut := srv.simulate(t, "sms", "--from", "+14155552671", "--to", st.number, st.text)
			require.Equal(t, 0, code, errOut)
			for _, w := range st.want {
				assert.Contains(t, out, w)
			}
			for _, w := range st.wantNot {
				assert.NotRegexp(t, w, out)
			}
		})
	}
}

func TestSimulatingAgainstANumberNoBusinessHasFails(t *testing.T) {
	srv := startSimServer(t)
	tests := []struct {
		name string
		args []string
	}{
		{"a call", []string{"call", "--from", "+14155552671", "--to", "+15005550001", "--keys", "1"}},
		{"a message", []string{"sms", "--from", "+14155552671", "--to", "+15005550001", "HELP"}},
		{"a status callback", []string{"status", "--to", "+14155552671", "--from", "+15005550001", "--error", "21610"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := srv.simulate(t, tt.args...)
			assert.Equal(t, 1, code, "stdout: %s", out)
			assert.Contains(t, out, "ledger: nothing recorded: no business has the number +15005550001")
			assert.Contains(t, errOut, "no business has the number +15005550001")
		})
	}
	code, out, _ := srv.simulate(t, "sms", "--from", "+14155552671", "--to", "+15005550001", "HELP")
	require.Equal(t, 1, code)
	assert.Contains(t, out, "no reply: no business has the number +15005550001", "the silence is explained too")
}

func TestSimulatedStatusCallbacks(t *testing.T) {
	srv := startSimServer(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"21610 opts the recipient out of every category", []string{"--to", "+14155550123", "--error", "21610"},
			`opt_out restock (sms, provider_opt_out, input "21610")`},
		{"21610 again records nothing more", []string{"--to", "+14155550123", "--error", "21610"},
			"ledger: nothing recorded for this callback: the number was already opted out of every category"},
		{"63033 over WhatsApp is a platform signal, not an opt-out", []string{"--to", "+14155550124", "--error", "63033", "--whatsapp"},
			"ledger: nothing recorded for this callback: only 21610 changes consent; 63033 is not an opt-out"},
		{"the simulator shows the signal 63033 gave", []string{"--to", "+14155550125", "--error", "63033", "--whatsapp"},
			"signals: signal 2: platform_stop (whatsapp, error 63033); consent unchanged"},
		{"63014 gives an undeliverable signal", []string{"--to", "+14155550125", "--error", "63014", "--whatsapp"},
			": undeliverable (whatsapp, error 63014); consent unchanged"},
		{"63049 names the business number it came from", []string{"--to", "+14155550124", "--error", "63049", "--from", "+14155550100"},
			"failed with 63049"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := srv.simulate(t, append([]string{"status"}, tt.args...)...)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, tt.want)
		})
	}
}

func TestSimulateStatusUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"without --to", []string{"--error", "21610"}, "--to PHONE and --error CODE are required"},
		{"without --error", []string{"--to", "+14155550123"}, "--to PHONE and --error CODE are required"},
		{"an error that is no code", []string{"--to", "+14155550123", "--error", "stop"}, "must be a Twilio error code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, map[string]string{"TWILIO_AUTH_TOKEN": "t"}, "", append([]string{"simulate", "status"}, tt.args...)...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errOut, tt.want)
		})
	}
}

func TestSimulatingWithoutADatabaseSaysTheLedgerIsNotShown(t *testing.T) {
	srv := startSimServer(t)
	t.Chdir(t.TempDir()) // no 'optin dev' database here
	env := map[string]string{"PUBLIC_URL": srv.env["PUBLIC_URL"], "TWILIO_AUTH_TOKEN": simToken}
	code, out, errOut := runCLI(t, env, "", "simulate", "sms", "--from", "+14155552671", "HELP")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "reply: ", "the message is still sent")
	assert.Contains(t, out, "ledger: not shown (set DATABASE_URL to the server's database to see it)")
}
