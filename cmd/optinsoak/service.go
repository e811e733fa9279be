package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Bounds of the waits on a service.
const (
	startWait = 30 * time.Second // for /healthz to answer after start
	stopWait  = 30 * time.Second // for a graceful stop, past the service's own 25 s
	killWait  = 10 * time.Second // for a killed process to be reaped
)

// serviceSpec is how to start one `optin serve`.
type serviceSpec struct {
	name      string // names its log file
	port      int    // 0 picks a free one
	publicURL string // "" means http://127.0.0.1:port, the address it listens on
	spoolDir  string
}

// service is one `optin serve` process this harness started.
type service struct {
	spec    serviceSpec
	base    string // http://127.0.0.1:port, where it listens
	public  string // PUBLIC_URL, what Twilio requests are signed for
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has been reaped
}

// startService starts `optin serve` and waits until /healthz answers, or the process exits,
// or startWait passes.
func (s *stage) startService(ctx context.Context, spec serviceSpec) (*service, error) {
	if spec.port == 0 {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		spec.port = p
	}
	svc := &service{spec: spec, base: "http://127.0.0.1:" + strconv.Itoa(spec.port),
		logPath: filepath.Join(s.dir, spec.name+".log")}
	svc.public = spec.publicURL
	if svc.public == "" {
		svc.public = svc.base
	}
	if err := svc.launch(s); err != nil {
		return nil, err
	}
	s.services = append(s.services, svc)
	if err := svc.waitHealthy(ctx); err != nil {
		return svc, err
	}
	return svc, nil
}

// launch starts the process, its output appended to the log. The death signal ends it if the
// harness dies, so it fires when the thread that started it ends: that thread stays locked to
// a goroutine until the process exits.
func (svc *service) launch(s *stage) error {
	log, err := os.OpenFile(svc.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "{\"optinsoak\":\"starting %s on %s\"}\n", svc.spec.name, svc.base)
	cmd := exec.Command(s.opts.optin, "serve")
	cmd.Env = serviceEnv(map[string]string{
		"DATABASE_URL":      s.dbURL,
		"HTTP_ADDR":         "127.0.0.1:" + strconv.Itoa(svc.spec.port),
		"PUBLIC_URL":        svc.public,
		"TWILIO_AUTH_TOKEN": s.token,
		"SPOOL_DIR":         svc.spec.spoolDir,
		"LOG_FORMAT":        "json",
		// The load is many requests with one key; the API's per-key throttle is not under test.
		"API_RATE":  "1000000",
		"API_BURST": "1000000",
	})
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	svc.exited = make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer log.Close()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(svc.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start %s: %w", svc.spec.name, err)
	}
	svc.cmd = cmd
	return nil
}

// errExited means the service ended on its own.
var errExited = errors.New("the service exited")

// waitHealthy polls /healthz until it answers 200.
func (svc *service) waitHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startWait)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if resp, err := client.Get(svc.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-svc.exited:
			return fmt.Errorf("%s: %w during start-up: %s", svc.spec.name, errExited, svc.lastError())
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer /healthz within %s", svc.spec.name, startWait)
		case <-tick.C:
		}
	}
}

// running reports whether the process is alive.
func (svc *service) running() bool {
	if svc.cmd == nil {
		return false
	}
	select {
	case <-svc.exited:
		return false
	default:
		return true
	}
}

// stop ends the service with SIGTERM, letting it finish in-flight requests; one that does
// not end within stopWait is killed.
func (svc *service) stop() {
	if !svc.running() {
		return
	}
	svc.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // the wait below decides
	select {
	case <-svc.exited:
	case <-time.After(stopWait):
		svc.kill() //nolint:errcheck // nothing more to do at the end of a phase
	}
}

// kill ends the service with SIGKILL, as a crash would, and waits for it to be reaped.
func (svc *service) kill() error {
	if !svc.running() {
		return fmt.Errorf("%s: %w", svc.spec.name, errExited)
	}
	if err := svc.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill %s (pid %d): %w", svc.spec.name, svc.cmd.Process.Pid, err)
	}
	select {
	case <-svc.exited:
		return nil
	case <-time.After(killWait):
		return fmt.Errorf("%s (pid %d) was not reaped within %s of SIGKILL", svc.spec.name, svc.cmd.Process.Pid, killWait)
	}
}

// restart starts the same service again: same port, PUBLIC_URL and spool directory.
func (s *stage) restart(ctx context.Context, svc *service) error {
	if svc.running() {
		return fmt.Errorf("%s is still running", svc.spec.name)
	}
	if err := svc.launch(s); err != nil {
		return err
	}
	return svc.waitHealthy(ctx)
}

// logTail returns the last n lines of the service's log that are not routine: warnings and
// errors say what went wrong, the access log of every request does not. When there are none,
// the last lines whatever they are.
func (svc *service) logTail(n int) string {
	b, err := os.ReadFile(svc.logPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var notable []string
	for _, l := range lines {
		if !strings.Contains(l, `"level":"INFO"`) {
			notable = append(notable, l)
		}
	}
	if len(notable) > 0 {
		lines = notable
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// lastError is the last notable line of the log, which says why a service that exited did.
func (svc *service) lastError() string { return truncate(svc.logTail(1), 300) }
