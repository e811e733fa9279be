package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres/pgtest"
)

// devDir is a directory for an optin dev of a test, which the postgres user can enter when
// the tests run as root (t.TempDir's parents are 0700).
func devDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "optin-dev-test-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// devEnv is the environment of an optin dev run by the test binary.
func devEnv(t *testing.T, extra ...string) []string {
	return append([]string{beOptin, "PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}, extra...)
}

// portOf is the port of a host:port address.
func portOf(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }

// bannerKey is the API key an optin dev banner shows.
func bannerKey(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`\n  (optin_[0-9a-f]+)\n`).FindStringSubmatch(out)
	require.NotNil(t, m, "the banner shows an API key:\n%s", out)
	return m[1]
}

func TestASecondDevInTheSameFolderRefusesAndLeavesTheFirstAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local PostgreSQL")
	}
	dir, addr := devDir(t), freeAddr(t)
	first := startDev(t, optinBinary, dir, devEnv(t, "HTTP_ADDR="+addr))
	pidLine, err := os.ReadFile(filepath.Join(dir, ".data", "pg", "postmaster.pid"))
	require.NoError(t, err)
	pgPID, err := strconv.Atoi(strings.SplitN(string(pidLine), "\n", 2)[0])
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	second := exec.CommandContext(ctx, optinBinary, "dev")
	second.Dir, second.Env = dir, devEnv(t, "HTTP_ADDR="+freeAddr(t))
	out, err := second.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the second optin dev fails:\n%s", out)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "already runs in this directory")
	assert.Contains(t, string(out), "pid "+strconv.Itoa(first.cmd.Process.Pid), "it names the one that runs")
	assert.Contains(t, string(out), "serving http://localhost:"+portOf(addr))
	assert.NotContains(t, string(out), "Starting a local PostgreSQL", "it touched no PostgreSQL")

	assert.NoError(t, syscall.Kill(pgPID, 0), "the first one's PostgreSQL still runs")
	waitReady(t, addr, time.Minute)
	first.stop(t, dir)
}

func TestDevFromAFolderThePostgresUserCannotEnter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local PostgreSQL")
	}
	if os.Geteuid() != 0 {
		t.Skip("only as root does the local PostgreSQL run as another user, the postgres user")
	}
	closed := t.TempDir()
	require.NoError(t, os.Chmod(closed, 0o700))
	tmp := devDir(t)
	addr := freeAddr(t)
	dev := startDev(t, optinBinary, closed, devEnv(t, "HTTP_ADDR="+addr, "TMPDIR="+tmp))
	assert.Contains(t, dev.output(), "cannot reach "+filepath.Join(closed, ".data", "pg"))
	assert.Contains(t, dev.output(), "Its data lives in "+tmp, "it says where the data went instead")
	waitReady(t, addr, time.Minute)
	dev.interrupt(t)
	_, err := os.Stat(filepath.Join(closed, devURLFile))
	assert.True(t, errors.Is(err, os.ErrNotExist), "the database URL file is removed with the database")
}

func TestDevOnAnotherAddressMovesTheBannerAndTheSimulator(t *testing.T) {
	dir, addr := devDir(t), freeAddr(t)
	dbURL := pgtest.NewURL(t)
	public := "http://localhost:" + portOf(addr)
	dev := startDev(t, optinBinary, dir, devEnv(t, "DATABASE_URL="+dbURL), "--addr", addr)
	out := dev.output()
	assert.Contains(t, out, "at "+public+" (listening on "+addr+")", "PUBLIC_URL follows --addr")
	assert.Contains(t, out, "POST "+public+"/twilio/sms")
	assert.Contains(t, out, public+"/v1/consents/+14155552671", "the printed curl uses the address")

	t.Chdir(dir)
	assert.Equal(t, public, readDevServerURL(), "dev records where it serves")
	code, simOut, errOut := runCLI(t, map[string]string{"DATABASE_URL": dbURL}, "", "simulate", "sms", "--from", "+14155552671", "ORDERS")
	require.Equal(t, 0, code, "the simulator finds the server without --url: %s", errOut)
	assert.Contains(t, simOut, "reply: ")
	dev.interrupt(t)
	assert.Empty(t, readDevServerURL(), "the server URL goes with the server")
}

func TestDevKeepsOneAPIKeyAcrossRestarts(t *testing.T) {
	dir := devDir(t)
	dbURL := pgtest.NewURL(t)
	env := devEnv(t, "DATABASE_URL="+dbURL, "HTTP_ADDR="+freeAddr(t))
	dev := startDev(t, optinBinary, dir, env)
	key := bannerKey(t, dev.output())
	assert.Contains(t, dev.output(), "(new, kept in .data/api_key")
	dev.interrupt(t)

	addr := freeAddr(t)
	env = devEnv(t, "DATABASE_URL="+dbURL, "HTTP_ADDR="+addr)
	dev = startDev(t, optinBinary, dir, env)
	assert.Equal(t, key, bannerKey(t, dev.output()), "the second start shows the same key")
	assert.Contains(t, dev.output(), "(the same as last time")
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/categories", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the kept key works")
	dev.interrupt(t)

	code, list, errOut := runCLI(t, map[string]string{"DATABASE_URL": dbURL}, "", "key", "list", "--business", "acme")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 1, strings.Count(list, "\tdev\t"), "two starts made one key:\n%s", list)
	id := strings.SplitN(list, "\t", 2)[0]
	require.Equal(t, 0, first(runCLI(t, map[string]string{"DATABASE_URL": dbURL}, "", "key", "revoke", id)))

	dev = startDev(t, optinBinary, dir, env)
	assert.NotEqual(t, key, bannerKey(t, dev.output()), "a revoked kept key is replaced")
	assert.Contains(t, dev.output(), "(new, kept in .data/api_key")
	dev.interrupt(t)
}
