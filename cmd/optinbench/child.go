package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/optin/optin/consent/postgres"
)

// serveChild is `optinbench serve`: the service's engine over the given database on a free
// port of 127.0.0.1, alone in its process so its memory can be read. It prints the base URL on
// one line and serves until its standard input closes, which happens when the parent stops it
// or dies.
func serveChild(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("optinbench serve", flag.ContinueOnError)
	dbURL := fs.String("database-url", "", "PostgreSQL to serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := postgres.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer store.Close()
	base, stop, err := listenLoopback(store, serviceLogger())
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintln(stdout, base)
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, stdin) //nolint:errcheck // any end of stdin means stop
		close(closed)
	}()
	select {
	case <-closed:
	case <-ctx.Done():
	}
	return nil
}

// childServer is a running `optinbench serve` started by this process.
type childServer struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	base   string
	exited chan error
	stderr bytes.Buffer
}

// startChild starts `optinbench serve` from this very binary and waits for its address.
func startChild(ctx context.Context, dbURL string) (*childServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this program: %w", err)
	}
	c := &childServer{cmd: exec.Command(exe, "serve", "--database-url", dbURL), exited: make(chan error, 1)}
	c.cmd.Stderr = &c.stderr
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the child server: %w", err)
	}
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		addr <- strings.TrimSpace(line)
		io.Copy(io.Discard, stdout) //nolint:errcheck // nothing more is expected
	}()
	go func() { c.exited <- c.cmd.Wait() }()
	select {
	case c.base = <-addr:
		if strings.HasPrefix(c.base, "http://127.0.0.1:") {
			return c, nil
		}
	case <-time.After(30 * time.Second):
	case <-ctx.Done():
	}
	c.stop()
	return nil, fmt.Errorf("the child server did not start: %s", strings.TrimSpace(c.stderr.String()))
}

// stop closes the child's standard input, which ends it; a child that does not end within ten
// seconds is killed, by its own pid.
func (c *childServer) stop() {
	c.stdin.Close() //nolint:errcheck // closing is the signal
	select {
	case <-c.exited:
		return
	case <-time.After(10 * time.Second):
	}
	c.cmd.Process.Kill() //nolint:errcheck // it may have ended meanwhile
	<-c.exited
}

// memoryKB reads the child's resident set now (VmRSS) and at its peak (VmHWM), in kB, from
// /proc; Linux only.
func (c *childServer) memoryKB() (rss, peak int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, 0, fmt.Errorf("read the child's memory: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("read %s: %w", name, err)
		}
		if name == "VmRSS" {
			rss = kb
		} else {
			peak = kb
		}
	}
	if rss == 0 || peak == 0 {
		return 0, 0, errors.New("no VmRSS or VmHWM in /proc status")
	}
	return rss, peak, nil
}
