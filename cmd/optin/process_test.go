package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// freeAddr returns a loopback address with a port nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady polls /readyz until it answers 200 or the deadline passes.
func waitReady(t *testing.T, addr string, deadline time.Duration) {
	t.Helper()
	end := time.Now().Add(deadline)
	for time.Now().Before(end) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server at %s never became ready", addr)
}

func TestEightReplicasStartTogetherOnAnEmptyDatabase(t *testing.T) {
	url := pgtest.ServerURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	type proc struct {
		cmd  *exec.Cmd
		addr string
		out  bytes.Buffer
	}
	procs := make([]*proc, 8)
	for i := range procs {
		p := &proc{}
		if i%2 == 0 {
			p.addr = freeAddr(t)
			p.cmd = exec.CommandContext(ctx, optinBinary, "serve")
		} else {
			p.cmd = exec.CommandContext(ctx, optinBinary, "migrate")
		}
		p.cmd.Env = []string{beOptin, "DATABASE_URL=" + url, "HTTP_ADDR=" + p.addr, "TWILIO_AUTH_TOKEN=t", "PATH=/usr/bin:/bin",
			"SPOOL_DIR=" + t.TempDir()} // a spool directory per replica, as in production
		p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
		procs[i] = p
	}
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() { defer wg.Done(); require.NoError(t, p.cmd.Start()) }()
	}
	wg.Wait()
	for i, p := range procs {
		if p.addr == "" {
			assert.NoError(t, p.cmd.Wait(), "migrate %d: %s", i, p.out.String())
			continue
		}
		waitReady(t, p.addr, time.Minute)
	}
	for i, p := range procs {
		if p.addr != "" {
			require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
			assert.NoError(t, p.cmd.Wait(), "serve %d stops cleanly on SIGTERM: %s", i, p.out.String())
		}
	}
}

func TestServeAnswersHealthReadinessAndMetrics(t *testing.T) {
	addr := freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(optinBinary, "serve")
	url := pgtest.NewURL(t)
	const token = "tok-0f1e2d3c4b5a"
	cmd.Env = []string{beOptin, "DATABASE_URL=" + url, "HTTP_ADDR=" + addr, "PUBLIC_URL=http://" + addr, "TWILIO_AUTH_TOKEN=" + token,
		"SPOOL_DIR=" + t.TempDir()}
	require.Equal(t, 0, first(runCLI(t, map[string]string{"DATABASE_URL": url}, "", "business", "apply", "-f", demoFile)))
	cmd.Stderr = &logs
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()
	waitReady(t, addr, time.Minute)

	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get("http://" + addr + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
	resp, err := http.Get("http://" + addr + "/v1/consents/+14155552671")
	require.NoError(t, err)
	resp.Body.Close()
	code, keyOut, _ := runCLI(t, map[string]string{"DATABASE_URL": url}, "", "key", "create", "--business", "acme")
	require.Equal(t, 0, code)
	key := strings.TrimSpace(keyOut[strings.LastIndex(strings.TrimSpace(keyOut), "\n")+1:])
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/consents/%2B14155552671", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body := fetch(t, "http://"+addr+"/metrics")
	assert.True(t, hasLine(body, `optin_http_requests_total{method="GET",route="/healthz",status="200"} 1`))
	assert.True(t, hasLine(body, `optin_http_requests_total{method="GET",route="/v1/consents/:phone",status="401"} 1`),
		"metrics are labelled by route template")
	assert.NotContains(t, body, "4155552671", "no phone number becomes a label")

	sim := []string{"--url", "http://" + addr, "--token", token, "--from", "+14155552671"}
	code, out, errOut := runCLI(t, nil, "2\n1\n", append([]string{"simulate", "call"}, sim...)...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "offers and promotions, up to 4 messages a month", "keys typed at the terminal reach the disclosure")
	assert.Contains(t, out, "Thank you.", "and agree to it")
	assert.Contains(t, out, "[caller hung up]", "end of input hangs up")
	code, out, errOut = runCLI(t, nil, "HELP\nSTOP\n", append([]string{"simulate", "sms", "--whatsapp"}, sim...)...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "reply: Acme Outdoor on WhatsApp", "each typed line is sent and its reply printed")
	assert.Contains(t, out, "you are unsubscribed")

	code, _, errOut = runCLI(t, nil, "", "simulate", "sms", "--url", "http://"+addr, "--token", "wrong",
		"--from", "+14155552671", "HELP")
	assert.Equal(t, 1, code, "an HTTP error from the server fails the simulator")
	assert.Contains(t, errOut, "answered 403", "a refused signature says so")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
	code, _, errOut = runCLI(t, nil, "", "simulate", "call", "--url", "http://"+addr, "--token", token,
		"--from", "+14155552671", "--keys", "1")
	assert.Equal(t, 1, code, "no server is an error")
	assert.Contains(t, errOut, "no optin server answers at http://"+addr)
	assert.True(t, hasLine(logs.String(), `"route":"/v1/consents/:phone","status":401`), "one JSON access line per request, by route")
	assert.NotContains(t, logs.String(), "4155552671", "logs never carry a full phone number")
	assert.NotContains(t, logs.String(), token, "logs never carry the Twilio auth token")
	assert.NotContains(t, logs.String(), key, "logs never carry an API key")
	assert.True(t, hasLine(logs.String(), `"route":"/v1/consents/:phone","status":200`), "the keyed request was logged")
}

func fetch(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	require.NoError(t, err)
	return b.String()
}

// hasLine reports whether some line of text contains want.
func hasLine(text, want string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}

func TestAStopTakenWhileTheDatabaseIsDownSurvivesAKillAndARestartAndLandsOnce(t *testing.T) {
	url := pgtest.NewURL(t)
	proxy, proxied := pgtest.NewProxy(t, url)
	require.Equal(t, 0, first(runCLI(t, map[string]string{"DATABASE_URL": url}, "", "business", "apply", "-f", demoFile)))
	addr, spoolDir := freeAddr(t), t.TempDir()
	const token = "tok-5e4d3c2b1a09"
	start := func() *exec.Cmd {
		cmd := exec.Command(optinBinary, "serve")
		cmd.Env = []string{beOptin, "DATABASE_URL=" + proxied, "HTTP_ADDR=" + addr, "PUBLIC_URL=http://" + addr,
			"TWILIO_AUTH_TOKEN=" + token, "SPOOL_DIR=" + spoolDir}
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	initial := start()
	waitReady(t, addr, time.Minute) // it learns the businesses and keeps them in the spool directory
	require.NoError(t, initial.Process.Signal(syscall.SIGTERM))
	require.NoError(t, initial.Wait())

	proxy.Refuse()
	second := start()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	}, time.Minute, 50*time.Millisecond, "the service starts although the database does not answer")
	assert.Contains(t, fetch(t, "http://"+addr+"/readyz"), `"status":"degraded"`)
	sim := []string{"simulate", "sms", "--url", "http://" + addr, "--token", token, "--from", "+14155552671"}
	code, out, errOut := runCLI(t, nil, "STOP\n", sim...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "you are unsubscribed", "the STOP is confirmed from the spool")
	assert.True(t, hasLine(fetch(t, "http://"+addr+"/metrics"), "optin_spool_depth 1"))
	require.NoError(t, second.Process.Kill()) // kill -9 with the STOP still in the spool
	second.Wait()

	start()
	proxy.Heal()
	waitReady(t, addr, time.Minute)
	store, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	defer store.Close()
	require.Eventually(t, func() bool {
		evs, err := store.Evidence(context.Background(), "acme", "+14155552671")
		return err == nil && len(evs) == 3
	}, time.Minute, 50*time.Millisecond, "the spooled STOP lands once: one opt-out per category")
	assert.True(t, hasLine(fetch(t, "http://"+addr+"/metrics"), "optin_spool_depth 0"))
}
