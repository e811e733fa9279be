package localpg_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	_ "github.com/lib/pq"

	"github.com/optin/optin/consent/postgres/localpg"
)

// requireBinaries skips without server binaries, except under CI where that is a failure.
func requireBinaries(t *testing.T) {
	t.Helper()
	if _, err := localpg.FindBinDir(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

func query(t *testing.T, url, q string, args ...any) *sql.Row {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db.QueryRowContext(context.Background(), q, args...)
}

func TestThrowawayServerAnswersOnLoopbackAndVanishesOnStop(t *testing.T) {
	requireBinaries(t)
	ctx := context.Background()
	srv, err := localpg.Start(ctx, localpg.Options{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	var addr string
	if err := query(t, srv.URL("postgres"), `SELECT CAST(inet_server_addr() AS text)`).Scan(&addr); err != nil {
		t.Fatal(err)
	}
	if addr != "127.0.0.1/32" {
		t.Errorf("server address = %s, want 127.0.0.1/32", addr)
	}
	var fsync string
	if err := query(t, srv.URL("postgres"), `SHOW fsync`).Scan(&fsync); err != nil {
		t.Fatal(err)
	}
	if fsync != "off" {
		t.Errorf("fsync = %s, want off for a fast cluster", fsync)
	}
	dir := srv.DataDir()
	pidFile, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(pidFile), "\n", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("postgres pid %d still exists after Stop (kill 0: %v)", pid, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("throwaway data directory %s still exists after Stop", dir)
	}
}

func TestKeptDataDirectoryKeepsDataAcrossRestarts(t *testing.T) {
	requireBinaries(t)
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "localpg-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { // the server's user must reach the data directory
		t.Fatal(err)
	}
	opts := localpg.Options{DataDir: dir + "/pg", Fast: true}
	srv, err := localpg.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateDatabase(ctx, "kept"); err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateDatabase(ctx, "kept"); err != nil {
		t.Fatalf("creating an existing database again: %v", err)
	}
	var ignored int
	if err := query(t, srv.URL("kept"), `CREATE TABLE note AS SELECT 42 AS n`).Scan(&ignored); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	srv, err = localpg.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	var n int
	if err := query(t, srv.URL("kept"), `SELECT n FROM note`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 42 {
		t.Errorf("n = %d after restart, want 42", n)
	}
}

func TestMissingBinariesSayHowToInstallThem(t *testing.T) {
	_, err := localpg.Start(context.Background(), localpg.Options{BinDir: t.TempDir()})
	if !errors.Is(err, localpg.ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y postgresql") {
		t.Errorf("error %q does not say how to install PostgreSQL", err)
	}
}

func TestCheckDataDirTellsWhetherTheServerUserCanReachIt(t *testing.T) {
	requireBinaries(t)
	closed := t.TempDir()
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	open, err := os.MkdirTemp("", "localpg-open-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(open) })
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := localpg.CheckDataDir(filepath.Join(open, "pg")); err != nil {
		t.Errorf("a data directory under a world-searchable parent: %v", err)
	}
	err = localpg.CheckDataDir(filepath.Join(closed, "pg"))
	switch {
	case os.Geteuid() != 0 && err != nil:
		t.Errorf("the server runs as the current user, who reaches its own directories: %v", err)
	case os.Geteuid() == 0 && !errors.Is(err, localpg.ErrUnreachable):
		t.Errorf("as root the server runs as postgres, which a 0700 parent keeps out: err = %v, want ErrUnreachable", err)
	}
}
