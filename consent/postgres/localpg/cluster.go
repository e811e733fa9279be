package localpg

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	logName    = "server.log" // the server's stderr, inside the data directory
	socketName = "sockets"    // the unix socket directory, inside the data directory
	// maxSocketPath is the longest unix socket path Linux accepts, less the socket's own name.
	maxSocketPath = 107 - len("/.s.PGSQL.65535")
)

// errPortTaken means the port chosen was taken before the server could bind it.
var errPortTaken = errors.New("port already in use")

// prepare finds the binaries and the server's user and makes sure a cluster exists.
func prepare(opts Options) (*Server, error) {
	binDir := opts.BinDir
	if binDir == "" {
		var err error
		if binDir, err = FindBinDir(); err != nil {
			return nil, err
		}
	} else if !hasServerBinaries(binDir) {
		return nil, fmt.Errorf("%s: %w", binDir, ErrNoBinaries)
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	s := &Server{binDir: binDir, cred: cred}
	if err := s.makeDataDir(opts.DataDir); err != nil {
		s.removeTemp()
		return nil, err
	}
	if !hasFile(filepath.Join(s.dataDir, "PG_VERSION")) {
		if err := s.initdb(opts.Fast); err != nil {
			s.removeTemp()
			return nil, err
		}
	}
	sockets := filepath.Join(s.dataDir, socketName)
	if err := os.MkdirAll(sockets, 0o700); err != nil {
		s.removeTemp()
		return nil, fmt.Errorf("creating the socket directory: %w", err)
	}
	if err := chown(sockets, cred); err != nil {
		s.removeTemp()
		return nil, err
	}
	return s, nil
}

// makeDataDir creates the data directory, owned by the server's user: dir itself, or a
// "data" directory inside a new temporary one that the server's user can enter.
func (s *Server) makeDataDir(dir string) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "optin-pg-")
		if err != nil {
			return fmt.Errorf("creating a temporary directory: %w", err)
		}
		s.tempDir = tmp
		if err := os.Chmod(tmp, 0o755); err != nil {
			return fmt.Errorf("opening %s to the server's user: %w", tmp, err)
		}
		dir = filepath.Join(tmp, "data")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("resolving data directory %s: %w", dir, err)
	}
	s.dataDir = abs
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}
	if err := checkReachable(abs, s.cred); err != nil {
		return err
	}
	if err := os.Chmod(abs, 0o700); err != nil { // PostgreSQL refuses a data directory others can read
		return fmt.Errorf("restricting data directory %s: %w", abs, err)
	}
	return chown(abs, s.cred)
}

func (s *Server) initdb(fast bool) error {
	args := []string{"-D", s.dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"}
	if fast {
		args = append(args, "--no-sync")
	}
	cmd := exec.Command(filepath.Join(s.binDir, "initdb"), args...)
	s.asServerUser(cmd)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb in %s: %w\n%s", s.dataDir, err, bytes.TrimSpace(out))
	}
	return nil
}

// run starts the server on a free port and waits until it accepts connections.
func (s *Server) run(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.port = port
	return s.launch(ctx, os.O_TRUNC)
}

// launch starts the server on s.port and waits until it accepts connections. logMode is
// os.O_TRUNC for a fresh log, os.O_APPEND to keep what an earlier run of the server wrote.
func (s *Server) launch(ctx context.Context, logMode int) error {
	logFile, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_WRONLY|logMode, 0o644)
	if err != nil {
		return fmt.Errorf("opening server log: %w", err)
	}
	cmd := exec.Command(filepath.Join(s.binDir, "postgres"), s.serverArgs(s.fast)...)
	s.asServerUser(cmd)
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// Its own process group keeps a terminal's Ctrl-C away from the server, so Stop shuts it
	// down in order; the death signal ends it if this process dies without calling Stop.
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	cmd.Stdout, cmd.Stderr = logFile, logFile
	exited, started := make(chan struct{}), make(chan error)
	// The death signal fires when the thread that started the server ends, so that thread
	// stays locked to this goroutine until the server exits.
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		logFile.Close()
		return fmt.Errorf("starting postgres: %w", err)
	}
	s.cmd, s.logFile, s.exited = cmd, logFile, exited
	if err := s.waitReady(ctx, s.startTimeout); err != nil {
		s.shutdown()
		logFile.Close()
		return err
	}
	return nil
}

func (s *Server) serverArgs(fast bool) []string {
	sockets := filepath.Join(s.dataDir, socketName)
	if len(sockets) > maxSocketPath {
		sockets = "" // too long for a socket path: TCP only
	}
	args := []string{"-D", s.dataDir, "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=" + sockets,
	}
	if fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	return args
}

// waitReady polls the server until it answers, exits or the timeout passes.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	db, err := sql.Open("postgres", s.URL("postgres")+"&connect_timeout=2")
	if err != nil {
		return fmt.Errorf("opening the postgres database: %w", err)
	}
	defer db.Close()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if db.PingContext(ctx) == nil {
			return nil
		}
		select {
		case <-s.exited:
			log := s.logTail()
			if strings.Contains(log, "could not bind") || strings.Contains(log, "already in use") {
				return fmt.Errorf("starting postgres on port %d: %w", s.port, errPortTaken)
			}
			return fmt.Errorf("postgres exited during start-up:\n%s", log)
		case <-ctx.Done():
			return fmt.Errorf("postgres did not accept connections on port %d: %w\n%s", s.port, ctx.Err(), s.logTail())
		case <-tick.C:
		}
	}
}

// logTail returns the last lines of the server log, for error messages.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.LogPath())
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
