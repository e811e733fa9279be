// Package pgtest gives the tests of any package a real, migrated PostgreSQL database of
// their own. With DATABASE_URL set the tests use that server; otherwise one throwaway local
// server is started per test binary from the installed server binaries. Without binaries the
// database tests skip and say why, except under CI=true where that fails the run.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// then call NewDB or NewURL in each test: every call gets a fresh database, created from a
// template that already holds the migrations (so it is fast) and dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/localpg"
)

// cluster is the server of one test binary. NewDB has only a testing.TB to go on, so Main
// keeps it in a package variable, written once before any test runs.
type cluster struct {
	server   *localpg.Server // nil when DATABASE_URL names the server
	admin    *sql.DB         // runs CREATE and DROP DATABASE
	baseURL  *url.URL        // the server's URL; databases differ by path
	template string          // migrated database each test database is copied from
	prefix   string          // names this binary's databases apart from other binaries'
	next     atomic.Int64
	skip     string // why database tests skip; empty when the cluster is up
}

var current *cluster

// Main runs the tests of a package with a database server available, and exits with their
// status. Call it from TestMain.
func Main(m *testing.M) {
	c, err := start()
	if err != nil {
		if errors.Is(err, localpg.ErrNoBinaries) && os.Getenv("CI") != "true" {
			c = &cluster{skip: "no PostgreSQL for database tests: " + err.Error()}
		} else {
			fmt.Fprintf(os.Stderr, "pgtest: no PostgreSQL for database tests: %v\n", err)
			os.Exit(1)
		}
	}
	current = c
	code := m.Run()
	if err := c.stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
	}
	os.Exit(code)
}

func start() (*cluster, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := &cluster{prefix: "optin_test_" + randomHex(4)}
	serverURL := os.Getenv("DATABASE_URL")
	if serverURL == "" {
		srv, err := localpg.Start(ctx, localpg.Options{Fast: true})
		if err != nil {
			return nil, err
		}
		c.server, serverURL = srv, srv.URL("postgres")
	}
	if err := c.connect(ctx, serverURL); err != nil {
		c.stop()
		return nil, err
	}
	c.template = c.prefix + "_template"
	if err := c.createTemplate(ctx); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *cluster) connect(ctx context.Context, serverURL string) error {
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("DATABASE_URL must be a postgres:// URL for tests, got %q", serverURL)
	}
	if q := u.Query(); q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
		u.RawQuery = q.Encode()
	}
	c.baseURL = u
	if c.admin, err = sql.Open("postgres", u.String()); err != nil {
		return fmt.Errorf("opening %s: %w", u.Redacted(), err)
	}
	if err := c.admin.PingContext(ctx); err != nil {
		return fmt.Errorf("connecting to %s: %w", u.Redacted(), err)
	}
	return nil
}

// createTemplate creates the database every test database is copied from, with the
// migrations applied.
func (c *cluster) createTemplate(ctx context.Context) error {
	if _, err := c.admin.ExecContext(ctx, "CREATE DATABASE "+c.template); err != nil {
		return fmt.Errorf("creating template database: %w", err)
	}
	db, err := sql.Open("postgres", c.urlOf(c.template))
	if err != nil {
		return fmt.Errorf("opening template database: %w", err)
	}
	defer db.Close()
	if _, err := postgres.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrating template database: %w", err)
	}
	return nil
}

func (c *cluster) stop() error {
	var errs []error
	if c.admin != nil {
		if c.template != "" && c.server == nil { // a throwaway server takes it along
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := c.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+c.template+" WITH (FORCE)")
			errs = append(errs, err)
		}
		errs = append(errs, c.admin.Close())
	}
	if c.server != nil {
		errs = append(errs, c.server.Stop())
	}
	return errors.Join(errs...)
}

func (c *cluster) urlOf(database string) string {
	u := *c.baseURL
	u.Path = "/" + database
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NewDB returns a connection pool to a fresh database of its own for the test, migrated and
// empty, dropped when the test ends; its connections are guarded as the service's are.
func NewDB(t testing.TB) *sqlx.DB {
	t.Helper()
	db, err := postgres.OpenDB(NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewURL is NewDB as a URL, for tests that hand a database to a subprocess. Sessions still
// open on it when the test ends are ended with it.
func NewURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "TEMPLATE "+cluster0(t).template)
}

// ServerURL returns the URL of a fresh database with nothing in it, not even the
// migrations, dropped when the test ends: for tests of migrating.
func ServerURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "TEMPLATE template0")
}

// cluster0 returns the binary's cluster, or ends the test when there is none.
func cluster0(t testing.TB) *cluster {
	t.Helper()
	switch {
	case current == nil:
		t.Fatal("pgtest: call pgtest.Main(m) from TestMain in this package")
	case current.skip != "":
		t.Skip(current.skip)
	}
	return current
}

func newDatabase(t testing.TB, from string) string {
	t.Helper()
	c := cluster0(t)
	name := fmt.Sprintf("%s_%d", c.prefix, c.next.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.create(ctx, name, from); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := c.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	return c.urlOf(name)
}

// create creates a database, waiting while the template is briefly in use: a session that
// just closed may still be leaving it.
func (c *cluster) create(ctx context.Context, name, from string) error {
	for {
		_, err := c.admin.ExecContext(ctx, "CREATE DATABASE "+name+" "+from)
		if err == nil {
			return nil
		}
		if pq.As(err, pqerror.ObjectInUse) == nil {
			return fmt.Errorf("pgtest: creating database %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgtest: creating database %s: %w", name, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
