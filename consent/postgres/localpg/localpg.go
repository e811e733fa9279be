// Package localpg starts and stops a local PostgreSQL server from the installed server
// binaries, for `optin dev` and for tests when no DATABASE_URL is given. The server listens
// on 127.0.0.1 only, on a free port, with its unix socket inside the data directory, and
// trusts every local connection: it is for development, never for production.
//
// As root the binaries run as the postgres OS user, since PostgreSQL refuses to run as root.
// A data directory that already holds a cluster is reused, so its data survives restarts;
// without one a throwaway cluster lives in a temporary directory removed by Stop.
//
// For fault-injection tests a running server can be stopped fast, killed with SIGKILL (the
// postmaster and every process it forked), frozen with SIGSTOP and thawed, and restarted on
// the same data directory and port (faults.go).
package localpg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	_ "github.com/lib/pq" // the driver Start uses to know the server is ready
)

// Options choose where the cluster lives and how it runs. The zero value starts a throwaway
// cluster with the newest installed binaries.
type Options struct {
	// DataDir keeps the cluster and is reused when it already holds one. Empty means a
	// throwaway cluster in a temporary directory, removed by Stop.
	DataDir string
	// BinDir holds initdb and postgres; FindBinDir chooses it when empty.
	BinDir string
	// Fast turns off fsync, synchronous_commit and full_page_writes: a crash may lose or
	// corrupt data, in exchange for speed. For tests.
	Fast bool
	// StartTimeout bounds how long Start waits for the server to accept connections;
	// one minute when zero.
	StartTimeout time.Duration
}

// Server is a running local PostgreSQL started by Start. Its superuser is postgres.
type Server struct {
	binDir  string
	dataDir string
	tempDir string // removed by Stop; empty for a kept data directory
	cred    *syscall.Credential
	port    int
	fast    bool // Options.Fast, kept for Restart
	// startTimeout bounds each wait for the server to accept connections, Restart's too.
	startTimeout time.Duration

	// mu guards the running process against the fault methods of faults.go, which another
	// goroutine may call while Stop runs.
	mu      sync.Mutex
	cmd     *exec.Cmd
	logFile *os.File
	exited  chan struct{} // closed when the server process has exited
	frozen  []int         // the processes Freeze stopped, which Thaw resumes

	stopOnce sync.Once
	stopErr  error
}

// Start initialises the cluster when needed and starts the server; it returns once the
// server accepts connections. Stop must be called to end it.
func Start(ctx context.Context, opts Options) (*Server, error) {
	s, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	s.fast, s.startTimeout = opts.Fast, opts.StartTimeout
	if s.startTimeout <= 0 {
		s.startTimeout = time.Minute
	}
	// A free port found now may be taken before the server binds it; try a few.
	for attempt := 1; ; attempt++ {
		err = s.run(ctx)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errPortTaken) || attempt == 3 {
			s.removeTemp()
			return nil, err
		}
	}
}

// Port is the TCP port the server listens on at 127.0.0.1.
func (s *Server) Port() int { return s.port }

// DataDir is the directory of the cluster.
func (s *Server) DataDir() string { return s.dataDir }

// LogPath is the file the server writes its log to.
func (s *Server) LogPath() string { return filepath.Join(s.dataDir, logName) }

// URL returns the connection URL of a database on the server, as the postgres superuser.
func (s *Server) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// CreateDatabase creates the database name unless it exists.
func (s *Server) CreateDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", s.URL("postgres"))
	if err != nil {
		return fmt.Errorf("opening the postgres database: %w", err)
	}
	defer db.Close()
	var exists bool
	const existsSQL = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
	if err := db.QueryRowContext(ctx, existsSQL, name).Scan(&exists); err != nil {
		return fmt.Errorf("looking for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		return fmt.Errorf("creating database %s: %w", name, err)
	}
	return nil
}

// Stop shuts the server down (fast mode: open sessions are ended) and, for a throwaway
// cluster, removes its directory. Only the server this Start launched is signalled.
// Calling Stop again returns the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.thaw() // a frozen server would not hear the request to shut down
		s.stopErr = s.shutdown()
		s.closeLog()
		s.removeTemp()
	})
	return s.stopErr
}

// removeTemp removes the temporary directory of a throwaway cluster.
func (s *Server) removeTemp() {
	if s.tempDir != "" {
		os.RemoveAll(s.tempDir)
	}
}

// shutdown ends the running server, if any, in fast mode; the caller holds mu or is Start.
func (s *Server) shutdown() error {
	if !s.running() {
		return nil
	}
	if pgCtl := filepath.Join(s.binDir, "pg_ctl"); hasFile(pgCtl) {
		stop := exec.Command(pgCtl, "stop", "-D", s.dataDir, "-m", "fast", "-w", "-t", "60")
		s.asServerUser(stop)
		stop.Run() // the process wait below decides whether it worked
	} else {
		s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown, as pg_ctl -m fast sends
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(time.Minute):
	}
	// Still running: end the process this Server started, by its PID.
	if err := s.cmd.Process.Kill(); err != nil {
		return fmt.Errorf("killing postgres (pid %d): %w", s.cmd.Process.Pid, err)
	}
	<-s.exited
	return fmt.Errorf("postgres (pid %d) ignored the shutdown request and was killed", s.cmd.Process.Pid)
}

// asServerUser makes cmd run as the server's OS user, in the data directory, since the
// caller's working directory may not be reachable by that user.
func (s *Server) asServerUser(cmd *exec.Cmd) {
	cmd.Dir = s.dataDir
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
}

func hasFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

// quoteIdent quotes a SQL identifier.
func quoteIdent(s string) string {
	out := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}
