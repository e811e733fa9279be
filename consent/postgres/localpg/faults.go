package localpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"syscall"
	"time"
)

// The fault methods below play what happens to a production database: an operator's fast
// shutdown, a crash (kill -9 of every server process, as the OOM killer or a power cut would
// leave it), and a hang (every server process stopped, connections open but silent). Restart
// brings the server back on the same data directory and port, so clients keep their URL.
// They signal only the postmaster this Server started and the processes it forked, by PID.

// errNotRunning means a fault was asked of a server that is not running.
var errNotRunning = errors.New("postgres is not running")

// exitWait bounds how long a fault waits for the postmaster to exit.
const exitWait = time.Minute

// PID is the process id of the running postmaster; 0 when the server is not running.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running() {
		return 0
	}
	return s.cmd.Process.Pid
}

// Processes lists the running postmaster and every process it forked (backends, background
// workers), postmaster first. PostgreSQL puts each child in a session of its own, so they are
// found by parentage, not by process group. Linux only: it reads /proc.
func (s *Server) Processes() ([]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running() {
		return nil, errNotRunning
	}
	return s.processes()
}

// processes is Processes for a caller holding mu.
func (s *Server) processes() ([]int, error) {
	pid := s.cmd.Process.Pid
	kids, err := descendants(pid)
	if err != nil {
		return nil, err
	}
	return append([]int{pid}, kids...), nil
}

// StopFast shuts the server down as `pg_ctl stop -m fast` does (sessions are ended, a
// shutdown checkpoint is written) and waits for it to exit. Restart starts it again.
func (s *Server) StopFast() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running() {
		return errNotRunning
	}
	s.thaw()
	err := s.shutdown()
	s.closeLog()
	return err
}

// Kill ends the postmaster and every process it forked with SIGKILL, leaving the data
// directory as a crash would: the next Restart runs crash recovery. The postmaster is stopped
// first so it can neither fork nor reap while its children are listed and killed; a child
// that exits meanwhile stays a zombie, so its PID cannot go to an unrelated process.
func (s *Server) Kill() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running() {
		return errNotRunning
	}
	pid := s.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("stopping postgres (pid %d) before killing it: %w", pid, err)
	}
	waitStopped(pid) // a child it forks meanwhile is listed below all the same
	s.frozen = nil   // SIGKILL ends stopped processes too; nothing is left to resume
	procs, err := s.processes()
	if err != nil {
		syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck // the postmaster at least must go
		procs = []int{pid}
	}
	for _, p := range procs[1:] {
		syscall.Kill(p, syscall.SIGKILL) //nolint:errcheck // it may have exited already
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing postgres (pid %d): %w", pid, err)
	}
	if err := s.waitExit(); err != nil {
		return err
	}
	s.closeLog()
	return nil
}

// Freeze stops the postmaster and every process it forked with SIGSTOP: connections stay
// open and nothing answers, as when a database host hangs. Thaw resumes them.
func (s *Server) Freeze() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running() {
		return errNotRunning
	}
	if len(s.frozen) > 0 {
		return errors.New("postgres is already frozen")
	}
	pid := s.cmd.Process.Pid
	// The postmaster first, so that once it has stopped no child is forked any more.
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("freezing postgres (pid %d): %w", pid, err)
	}
	s.frozen = []int{pid}
	waitStopped(pid)
	// A signal takes effect a moment after kill returns: a child forked in that moment, or
	// one not yet stopped, is caught by listing again until every process is stopped.
	for round := 0; ; round++ {
		kids, err := descendants(pid)
		if err != nil {
			s.thaw()
			return err
		}
		var fresh []int
		for _, p := range kids {
			if !slices.Contains(s.frozen, p) && syscall.Kill(p, syscall.SIGSTOP) == nil {
				fresh = append(fresh, p)
			}
		}
		s.frozen = append(s.frozen, fresh...)
		for _, p := range fresh {
			waitStopped(p)
		}
		if len(fresh) == 0 {
			return nil
		}
		if round == maxFreezeRounds {
			s.thaw()
			return fmt.Errorf("postgres (pid %d) kept starting processes while being frozen", pid)
		}
	}
}

// maxFreezeRounds bounds how often Freeze lists the processes again.
const maxFreezeRounds = 10

// stopWait bounds how long a process stopped with SIGSTOP takes to show as stopped.
const stopWait = 2 * time.Second

// waitStopped waits, up to stopWait, until pid shows as stopped in /proc, or has ended.
func waitStopped(pid int) {
	for deadline := time.Now().Add(stopWait); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		_, state, err := parentOf(pid)
		if err != nil || state == "T" || state == "t" || state == "Z" || state == "X" {
			return
		}
	}
}

// Thaw resumes the processes Freeze stopped, children first, then the postmaster; a no-op
// when the server is not frozen.
func (s *Server) Thaw() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.thaw()
}

// thaw is Thaw for a caller holding mu.
func (s *Server) thaw() error {
	var errs []error
	for i := len(s.frozen) - 1; i >= 0; i-- {
		if err := syscall.Kill(s.frozen[i], syscall.SIGCONT); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("resuming pid %d: %w", s.frozen[i], err))
		}
	}
	s.frozen = nil
	return errors.Join(errs...)
}

// Restart starts the server again after StopFast or Kill, on the same data directory and the
// same port, and returns once it accepts connections (after crash recovery, when it needs one).
func (s *Server) Restart(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running() {
		return errors.New("postgres is still running")
	}
	if err := s.launch(ctx, os.O_APPEND); err != nil {
		return fmt.Errorf("restarting postgres on port %d: %w", s.port, err)
	}
	return nil
}

// running reports whether the postmaster this Server started is alive; the caller holds mu.
func (s *Server) running() bool {
	if s.cmd == nil || s.cmd.Process == nil {
		return false
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// waitExit waits, bounded, for the postmaster to be reaped.
func (s *Server) waitExit() error {
	select {
	case <-s.exited:
		return nil
	case <-time.After(exitWait):
		return fmt.Errorf("postgres (pid %d) did not exit within %s", s.cmd.Process.Pid, exitWait)
	}
}

// closeLog closes the server log this process writes the server's output to.
func (s *Server) closeLog() {
	if s.logFile != nil {
		s.logFile.Close()
		s.logFile = nil
	}
}
