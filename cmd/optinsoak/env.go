package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	_ "github.com/lib/pq" // the harness reads the ledger itself

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres/localpg"
	"github.com/optin/optin/fixtures"
)

// env is one soak run: its temporary directory, its PostgreSQL and what every phase shares.
type env struct {
	opts         options
	out          io.Writer
	root         string // temporary directory of the run: cluster, business file, phase directories
	pg           *localpg.Server
	token        string // TWILIO_AUTH_TOKEN of every service
	business     consent.Business
	businessFile string
	replies      replies
}

// newEnv makes the run's directory and starts its durable PostgreSQL.
func newEnv(ctx context.Context, o options, out io.Writer) (_ *env, err error) {
	e := &env{opts: o, out: out, token: rand.Text()}
	if e.business, err = consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness)); err != nil {
		return nil, fmt.Errorf("read the demo business: %w", err)
	}
	if e.replies, err = expectedReplies(e.business); err != nil {
		return nil, err
	}
	if e.root, err = os.MkdirTemp("", "optinsoak-"); err != nil {
		return nil, fmt.Errorf("create the run's directory: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(e.root)
		}
	}()
	// As root the server runs as the postgres user, which must reach its data directory.
	if err := os.Chmod(e.root, 0o755); err != nil {
		return nil, err
	}
	e.businessFile = filepath.Join(e.root, "business.yaml")
	if err := os.WriteFile(e.businessFile, fixtures.DemoBusiness, 0o644); err != nil {
		return nil, err
	}
	// Durable on purpose: a kill -9 only tests something when commits are on disk.
	e.pg, err = localpg.Start(ctx, localpg.Options{DataDir: filepath.Join(e.root, "pg"), StartTimeout: time.Minute})
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	fmt.Fprintf(out, "optinsoak: %s against PostgreSQL on 127.0.0.1:%d (fsync on), files under %s\n",
		o.optin, e.pg.Port(), e.root)
	return e, nil
}

// close stops PostgreSQL and removes the run's directory, unless --keep asked to keep it
// for a failed run.
func (e *env) close(failed bool) {
	if err := e.pg.Stop(); err != nil {
		fmt.Fprintf(e.out, "optinsoak: stopping PostgreSQL: %v\n", err)
	}
	if failed && e.opts.keep {
		fmt.Fprintf(e.out, "optinsoak: kept %s (PostgreSQL data in pg/, each phase's spools and service logs in its own directory)\n", e.root)
		return
	}
	os.RemoveAll(e.root)
}

// databaseUp brings PostgreSQL back when a phase that broke down left it frozen or stopped.
func (e *env) databaseUp(ctx context.Context) error {
	if err := e.pg.Thaw(); err != nil {
		return err
	}
	if e.pg.PID() == 0 {
		return e.pg.Restart(ctx)
	}
	return nil
}

// stage is what one phase runs against: its own database, holding the demo business and an
// API key, its own directory, and the services it starts.
type stage struct {
	*env
	name     string
	dir      string
	dbURL    string  // what the services connect with
	db       *sql.DB // the harness's own connection, for the ledger checks
	apiKey   string
	services []*service
}

// newStage creates the phase's database, applies the business and creates a key, both with
// the optin binary itself.
func (e *env) newStage(ctx context.Context, name string) (*stage, error) {
	if err := e.databaseUp(ctx); err != nil {
		return nil, fmt.Errorf("bring PostgreSQL back: %w", err)
	}
	s := &stage{env: e, name: name, dir: filepath.Join(e.root, name)}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, err
	}
	dbName := "soak_" + name
	if err := e.pg.CreateDatabase(ctx, dbName); err != nil {
		return nil, err
	}
	s.dbURL = e.pg.URL(dbName)
	if _, err := s.optinCLI(ctx, "business", "apply", "-f", e.businessFile); err != nil {
		return nil, err
	}
	key, err := s.optinCLI(ctx, "key", "create", "--business", e.business.ID, "--name", "optinsoak")
	if err != nil {
		return nil, err
	}
	s.apiKey = key
	// connect_timeout: lib/pq does not watch the context while it connects to a frozen server.
	if s.db, err = sql.Open("postgres", s.dbURL+"&connect_timeout=2"); err != nil {
		return nil, err
	}
	return s, nil
}

// close stops the phase's services and closes its connection.
func (s *stage) close() {
	for _, svc := range s.services {
		svc.stop()
	}
	if s.db != nil {
		s.db.Close()
	}
}
