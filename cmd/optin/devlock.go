package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// devLockFile is locked (flock) by the 'optin dev' running in this directory for as long as
// it runs, and holds its pid; a second one finds it locked and leaves everything alone.
var devLockFile = filepath.Join(devDataDir, "dev.lock")

// devLock is the lock on devLockFile. The kernel releases it when the process ends, however
// it ends, so a crashed 'optin dev' never blocks the next one.
type devLock struct{ f *os.File }

// lockDevDir takes the lock of this directory's 'optin dev', before anything else is
// touched, or says which process holds it.
func lockDevDir() (*devLock, error) {
	if err := os.MkdirAll(devDataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", devDataDir, err)
	}
	f, err := os.OpenFile(devLockFile, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", devLockFile, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errDevRunning()
		}
		return nil, fmt.Errorf("lock %s: %w", devLockFile, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &devLock{f: f}, nil
}

// errDevRunning says that another 'optin dev' runs here: its pid and where it serves, as far
// as its files tell.
func errDevRunning() error {
	who := "another 'optin dev'"
	if b, err := os.ReadFile(devLockFile); err == nil {
		if pid := strings.TrimSpace(string(b)); pid != "" {
			who += " (pid " + pid + ")"
		}
	}
	if u := readDevServerURL(); u != "" {
		who += " serving " + u
	}
	return fmt.Errorf("%s already runs in this directory and keeps its database in %s; "+
		"nothing was started or changed. Use that one, stop it first (Ctrl-C in its terminal), "+
		"or start this one in another directory", who, devDataDir)
}

// release gives the lock up; the file stays, as the next start locks it again.
func (l *devLock) release() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}
