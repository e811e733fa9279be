package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeShellBlocks returns the ```sh blocks of the README, in order.
func readmeShellBlocks(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../README.md")
	require.NoError(t, err)
	defer f.Close()
	var blocks []string
	var cur *strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case cur == nil && line == "```sh":
			cur = &strings.Builder{}
		case cur != nil && line == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	require.NoError(t, sc.Err())
	return blocks
}

// devProcess is `optin dev` running in a directory of its own.
type devProcess struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // its exit error, once exited is closed
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
}

func (p *devProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(b)
}

func startDev(t *testing.T, bin, dir string, env []string, args ...string) *devProcess {
	t.Helper()
	p := &devProcess{cmd: exec.Command(bin, append([]string{"dev"}, args...)...)}
	p.cmd.Dir, p.cmd.Env = dir, env
	p.cmd.Stdout = lockedWriter{&p.mu, &p.stdout}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.stderr}
	require.NoError(t, p.cmd.Start())
	p.exited = make(chan struct{})
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.exited })
	end := time.Now().Add(2 * time.Minute)
	for !strings.Contains(p.output(), "Ctrl-C stops") {
		select {
		case <-p.exited:
			p.mu.Lock()
			defer p.mu.Unlock()
			t.Fatalf("optin dev exited (%v) before serving:\n%s\n%s", p.err, p.stdout.String(), p.stderr.String())
		default:
		}
		if time.Now().After(end) {
			p.mu.Lock()
			defer p.mu.Unlock()
			t.Fatalf("optin dev never served:\n%s\n%s", p.stdout.String(), p.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return p
}

// interrupt sends Ctrl-C and checks that optin dev exits with status 0.
func (p *devProcess) interrupt(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	select {
	case <-p.exited:
		require.NoError(t, p.err, "optin dev exits cleanly on Ctrl-C")
	case <-time.After(time.Minute):
		t.Fatal("optin dev did not stop within a minute of Ctrl-C")
	}
}

// stop sends Ctrl-C and checks that optin dev and the PostgreSQL it started are both gone.
func (p *devProcess) stop(t *testing.T, dir string) {
	t.Helper()
	pidLine, err := os.ReadFile(filepath.Join(dir, ".data", "pg", "postmaster.pid"))
	require.NoError(t, err, "the local PostgreSQL keeps its pid file in .data/pg")
	pgPID, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidLine), "\n", 2)[0]))
	require.NoError(t, err)
	p.interrupt(t)
	assert.True(t, errors.Is(syscall.Kill(pgPID, 0), syscall.ESRCH), "the PostgreSQL server %d is gone", pgPID)
	_, err = os.Stat(filepath.Join(dir, devURLFile))
	assert.True(t, errors.Is(err, os.ErrNotExist), "the database URL file is removed with the database")
}

func TestREADMEWalkthroughAsANewUser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the whole README")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	makeRun, err := exec.Command("make", "-C", root, "-n", "run", "test").Output()
	require.NoError(t, err)
	assert.Contains(t, string(makeRun), "building optin", "make run says it builds before a cold compile")
	assert.Contains(t, string(makeRun), "./bin/optin dev", "make run is optin dev")
	assert.Contains(t, string(makeRun), "go test -race -count=1 ./...", "make test runs every test with the race detector")

	// The local PostgreSQL runs as the postgres user when the tests run as root, so the
	// directories above its data must be searchable by others, which t.TempDir's are not.
	tmp, err := os.MkdirTemp("", "optin-readme-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(tmp, 0o755))
	t.Cleanup(func() { os.RemoveAll(tmp) })
	bin := filepath.Join(tmp, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "optin"), ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build optin: %s", out)
	dir := filepath.Join(tmp, "work")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.Symlink(filepath.Join(root, "fixtures"), filepath.Join(dir, "fixtures")))
	addr := freeAddr(t)
	// No PUBLIC_URL: it follows HTTP_ADDR, and the simulator finds the server through .data.
	env := []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + tmp, "HTTP_ADDR=" + addr}
	public := "http://localhost:" + addr[strings.LastIndex(addr, ":")+1:]

	dev := startDev(t, filepath.Join(bin, "optin"), dir, env)
	assert.Contains(t, dev.output(), "POST "+public+"/twilio/voice", "the webhook URLs are printed")
	assert.Regexp(t, `optin_[0-9a-f]+`, dev.output(), "an API key is printed")

	var script strings.Builder
	for _, block := range readmeShellBlocks(t) {
		for _, line := range strings.Split(block, "\n") {
			cmd := strings.TrimSpace(strings.SplitN(line, "#", 2)[0])
			if cmd == "make run" || cmd == "make test" {
				continue // checked above with make -n: optin dev is running, and this is the test
			}
			line = strings.ReplaceAll(line, "go run ./cmd/optin", "optin")
			script.WriteString(strings.ReplaceAll(line, "localhost:8080", addr) + "\n")
		}
	}
	run := exec.CommandContext(context.Background(), "bash", "-euo", "pipefail", "-c", script.String())
	run.Dir, run.Env = dir, env
	got, err := run.CombinedOutput()
	require.NoError(t, err, "a README command failed:\n%s", got)
	text := string(got)
	assert.Contains(t, text, "say: ", "the simulated call speaks")
	assert.Contains(t, text, "reply: ", "the simulated texts get replies")
	assert.Regexp(t, `"category":"offers"[^}]*"status":"opted_in"`, text, "the call's consent is visible through the API")
	assert.Regexp(t, `"category":"order_updates"[^}]*"status":"opted_in"`, text, "the text's consent is visible through the API")
	assert.Contains(t, text, `"sha256":"`, "evidence carries the disclosure's hash")
	assert.Contains(t, text, `"evidence":{"AccountSid":`, "evidence carries what Twilio sent")
	assert.Contains(t, text, "WhatsApp", "evidence carries the disclosure's text")
	assert.Contains(t, text, `"code":"disclosure_incomplete"`, "an incomplete disclosure is refused with what it lacks")
	assert.Contains(t, text, `"next_cursor":null`, "the paging loop walks to the last page")
	assert.Regexp(t, `ledger: event \d+: opt_in offers \(ivr, keypress, input "1"\)`, text, "the simulator shows what the call recorded")
	assert.Contains(t, text, "no reply: the number is opted out of everything", "and why a repeat STOP got no reply")
	assert.Regexp(t, `opt_out \w+ \(sms, provider_opt_out, input "21610"\)`, text, "a 21610 status callback opts out")
	assert.Regexp(t, `(?m)^'\+14155552671,offers,opted_in,`, text, "the CSV export, after the walkthrough, still shows the call's opt-in")
	assert.Contains(t, text, "was already revoked", "revoking a key twice says so")
	assert.Contains(t, text, `{"phone":"+14155550123","category":"order_updates","channel":"whatsapp","allowed":true`,
		"the send decision allows what the web opt-in of the walkthrough consented to")
	assert.Regexp(t, `\{"phone":"\+14155552671","category":"offers","channel":"whatsapp","allowed":false,"reasons":\[\{"code":"opted_out"`, text,
		"and denies offers to the caller whose opt-out the API recorded, that reason first")
	assert.Contains(t, text, "built with go", "optin version names the Go version")
	assert.Contains(t, text, "imported 2, skipped 0", "optin import records the file's rows")
	assert.Contains(t, text, `"imported":0,"skipped":2`, "the same file through the API records nothing twice")
	assert.Contains(t, text, "'+14155550142,offers,opted_in,paper,2024-03-01T09:30:00Z", "optin export writes the imported consent")
	dev.stop(t, dir)

	dev = startDev(t, filepath.Join(bin, "optin"), dir, env)
	check := exec.Command("bash", "-euo", "pipefail", "-c",
		`curl -fsS -H "Authorization: Bearer $(optin key create --business acme | tail -n 1)" `+addr+`/v1/events?limit=1000`)
	check.Dir, check.Env = dir, env
	got, err = check.CombinedOutput()
	require.NoError(t, err, "%s", got)
	assert.Contains(t, string(got), `"action":"opt_in"`, "the ledger survives a restart of optin dev")
	dev.stop(t, dir)
}
