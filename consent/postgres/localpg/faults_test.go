package localpg_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/optin/optin/consent/postgres/localpg"
)

// requireProc skips where processes cannot be read from /proc (not Linux).
func requireProc(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("fault injection reads /proc, which this system lacks")
	}
}

// startServer starts a cluster for a fault test and stops it when the test ends.
func startServer(t *testing.T, opts localpg.Options) *localpg.Server {
	t.Helper()
	requireBinaries(t)
	requireProc(t)
	srv, err := localpg.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

// processState is the one-letter state of pid in /proc (R, S, T, Z…); "" once it is gone.
func processState(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	fields := bytes.Fields(b[bytes.LastIndexByte(b, ')')+1:])
	return string(fields[0])
}

// gone reports whether pid has ended: no such process, or a zombie waiting to be reaped.
func gone(t *testing.T, pid int) bool {
	state := processState(t, pid)
	return state == "" || state == "Z" || state == "X"
}

// pingWithin reports whether the server answers a fresh connection within d. lib/pq does
// not watch the context while it connects, so connect_timeout bounds a silent server.
func pingWithin(t *testing.T, url string, d time.Duration) error {
	t.Helper()
	db, err := sql.Open("postgres", url+"&connect_timeout="+strconv.Itoa(int(max(d.Seconds(), 1))))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return db.PingContext(ctx)
}

func TestFastStopAndRestartKeepThePortAndTheData(t *testing.T) {
	srv := startServer(t, localpg.Options{Fast: true})
	port, url := srv.Port(), srv.URL("postgres")
	exec(t, url, `CREATE TABLE note AS SELECT 7 AS n`)
	pid := srv.PID()
	if err := srv.StopFast(); err != nil {
		t.Fatal(err)
	}
	if srv.PID() != 0 || !gone(t, pid) {
		t.Fatalf("postmaster %d still runs after StopFast", pid)
	}
	if err := pingWithin(t, url, 2*time.Second); err == nil {
		t.Fatal("a stopped server still answers")
	}
	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.Port() != port {
		t.Errorf("port after restart = %d, want %d", srv.Port(), port)
	}
	var n int
	if err := query(t, url, `SELECT n FROM note`).Scan(&n); err != nil || n != 7 {
		t.Fatalf("after restart: n = %d, err %v; want 7", n, err)
	}
}

func TestKillEndsEveryServerProcessAndRestartRecoversCommittedRows(t *testing.T) {
	srv := startServer(t, localpg.Options{}) // durable: a kill -9 must not lose a commit
	url := srv.URL("postgres")
	var fsync string
	if err := query(t, url, `SHOW fsync`).Scan(&fsync); err != nil || fsync != "on" {
		t.Fatalf("fsync = %q (err %v), want on for a durable cluster", fsync, err)
	}
	exec(t, url, `CREATE TABLE note AS SELECT 9 AS n`)
	procs, err := srv.Processes()
	if err != nil {
		t.Fatal(err)
	}
	if len(procs) < 3 {
		t.Fatalf("processes = %v, want the postmaster and its background workers", procs)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range procs {
		for !gone(t, pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if !gone(t, pid) {
			t.Errorf("server process %d (state %s) survived Kill", pid, processState(t, pid))
		}
	}
	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := query(t, url, `SELECT n FROM note`).Scan(&n); err != nil || n != 9 {
		t.Fatalf("after crash recovery: n = %d, err %v; want 9", n, err)
	}
}

func TestFreezeStopsEveryServerProcessUntilThaw(t *testing.T) {
	srv := startServer(t, localpg.Options{Fast: true})
	url := srv.URL("postgres")
	if err := srv.Freeze(); err != nil {
		t.Fatal(err)
	}
	procs, err := srv.Processes()
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range procs {
		if st := processState(t, pid); st != "T" {
			t.Errorf("process %d is in state %q while frozen, want T (stopped)", pid, st)
		}
	}
	if err := pingWithin(t, url, time.Second); err == nil {
		t.Error("a frozen server answered")
	}
	if err := srv.Thaw(); err != nil {
		t.Fatal(err)
	}
	if err := pingWithin(t, url, 10*time.Second); err != nil {
		t.Fatalf("no answer after Thaw: %v", err)
	}
	for _, pid := range procs {
		if st := processState(t, pid); st == "T" {
			t.Errorf("process %d still stopped after Thaw", pid)
		}
	}
}

func TestStopEndsAFrozenServer(t *testing.T) {
	srv := startServer(t, localpg.Options{Fast: true})
	pid := srv.PID()
	if err := srv.Freeze(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if !gone(t, pid) {
		t.Errorf("postmaster %d survived Stop of a frozen server", pid)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Stop of a frozen server took %s", d)
	}
}

func TestFaultsOfAServerThatIsNotRunningAreRefused(t *testing.T) {
	srv := startServer(t, localpg.Options{Fast: true})
	if err := srv.Restart(context.Background()); err == nil {
		t.Error("Restart of a running server succeeded")
	}
	if err := srv.StopFast(); err != nil {
		t.Fatal(err)
	}
	for name, fault := range map[string]func() error{"Kill": srv.Kill, "Freeze": srv.Freeze, "StopFast": srv.StopFast} {
		if err := fault(); err == nil {
			t.Errorf("%s of a stopped server succeeded", name)
		}
	}
	if _, err := srv.Processes(); err == nil {
		t.Error("Processes of a stopped server succeeded")
	}
}

// exec runs one statement that returns no rows.
func exec(t *testing.T, url, stmt string) {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), stmt); err != nil {
		t.Fatal(err)
	}
}
