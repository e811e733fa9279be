// Package postgres is the consent store: the append-only ledger of consent events and the
// current state projected from it in the same transaction, businesses and their numbers,
// disclosures by content hash, message conversations handled exactly once, and API keys.
//
// It speaks the consent package's types and returns its sentinel errors (consent.ErrNotFound,
// consent.ErrNumberTaken, consent.ErrInvalid…), wrapped with what was being done.
package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// Store reads and writes the consent database. It is safe for concurrent use.
type Store struct {
	db      *sqlx.DB
	clock   func() time.Time
	commits *committer
	prep    *statements
	writer  string // names this store among the writers of a business (see optin_write_unit)
}

// Option changes how a Store is set up.
type Option func(*Store)

// WithClock makes the store stamp writes with clock instead of time.Now: the time every
// write is decided at and recorded with is read inside its unit, under the ledger lock.
func WithClock(clock func() time.Time) Option {
	return func(s *Store) { s.clock = clock }
}

// Open connects to the database at databaseURL (a postgres:// URL or a key=value string),
// adding sslmode=disable when the URL names no sslmode, and checks that it answers.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	s, err := OpenUnchecked(databaseURL, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	return s, nil
}

// OpenUnchecked is Open without asking the database anything: for a service that starts
// while the database does not answer and takes what it can (opt-outs into its spool) until
// it does.
func OpenUnchecked(databaseURL string, opts ...Option) (*Store, error) {
	db, err := OpenDB(databaseURL)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(25)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return NewStore(db, opts...), nil
}

// ErrBadURL is the error of a database URL that cannot be read.
var ErrBadURL = errors.New("the database URL cannot be read")

// Server-side limits a connection of OpenDB gets unless the URL sets them: no statement runs
// longer than a webhook may wait, no transaction idles while holding locks, and a server that
// does not accept a connection in time is given up on.
const (
	defaultStatementTimeout = "10s"
	defaultIdleInTxTimeout  = "30s"
	defaultConnectTimeout   = 5 * time.Second
)

// OpenDB returns a connection pool for databaseURL whose every call ends when its context
// ends, even while the server hangs (see deadlines.go), with defaultStatementTimeout,
// defaultIdleInTxTimeout and defaultConnectTimeout unless the URL sets its own.
func OpenDB(databaseURL string) (*sqlx.DB, error) {
	return openGuarded(databaseURL, defaultStatementTimeout)
}

// OpenMigrationDB is OpenDB for migrations: a migration's statements may run as long as they
// need (building an index over a large ledger), bounded only by the context they run in.
func OpenMigrationDB(databaseURL string) (*sql.DB, error) {
	db, err := openGuarded(databaseURL, "0")
	if err != nil {
		return nil, err
	}
	return db.DB, nil
}

func openGuarded(databaseURL, statementTimeout string) (*sqlx.DB, error) {
	cfg, err := pq.NewConfig(WithSSLMode(databaseURL))
	if err != nil {
		return nil, fmt.Errorf("%w: it must be a URL such as postgres://user:password@host:5432/db or settings such as "+
			"host=localhost dbname=optin (%v)", ErrBadURL, err)
	}
	if cfg.Runtime == nil {
		cfg.Runtime = map[string]string{}
	}
	for k, v := range map[string]string{"statement_timeout": statementTimeout, "idle_in_transaction_session_timeout": defaultIdleInTxTimeout} {
		if _, set := cfg.Runtime[k]; !set {
			cfg.Runtime[k] = v
		}
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	connector, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	connector.Dialer(guardingDialer{d: net.Dialer{KeepAlive: 15 * time.Second}})
	return sqlx.NewDb(sql.OpenDB(guardingConnector{pq: connector}), "postgres"), nil
}

// WithSSLMode adds sslmode=disable to a connection string that has no sslmode, since lib/pq
// otherwise requires TLS, which local and in-cluster servers rarely offer.
func WithSSLMode(databaseURL string) string {
	if databaseURL == "" || strings.Contains(databaseURL, "sslmode=") {
		return databaseURL
	}
	if u, err := url.Parse(databaseURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("sslmode", "disable")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(databaseURL + " sslmode=disable")
}

// NewStore returns a store over an open lib/pq connection pool.
func NewStore(db *sqlx.DB, opts ...Option) *Store {
	s := &Store{db: db, clock: time.Now, writer: rand.Text()}
	for _, o := range opts {
		o(s)
	}
	s.commits, s.prep = newCommitter(s), newStatements(db)
	return s
}

// DB returns the connection pool, for migrations and for queries of other files of this package.
func (s *Store) DB() *sqlx.DB { return s.db }

// Close closes the connection pool.
func (s *Store) Close() error {
	s.prep.close()
	return s.db.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("pinging database: %w", err)
	}
	return nil
}

// inTx runs fn in one transaction, committed when fn returns nil. A transaction the database
// ended to break a deadlock is run again, since nothing of it was written.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if attempt < 3 && pqCode(err) == pqerror.TRDeadlockDetected {
			continue
		}
		return err
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// pqCode returns the SQLSTATE of a database error, or "" for other errors.
func pqCode(err error) pqerror.Code {
	if pqErr := pq.As(err); pqErr != nil {
		return pqErr.Code
	}
	return ""
}

// pqConstraint returns the constraint a database error names, or "".
func pqConstraint(err error) string {
	if pqErr := pq.As(err); pqErr != nil {
		return pqErr.Constraint
	}
	return ""
}
