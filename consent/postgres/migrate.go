package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/optin/optin/migrations"
)

// newProvider returns a goose provider over the embedded migrations. With a session locker,
// migrations run under a PostgreSQL advisory lock held by one connection, so replicas that
// start together take turns and the later ones find nothing left to apply.
func newProvider(db *sql.DB, locked bool) (*goose.Provider, error) {
	var opts []goose.ProviderOption
	if locked {
		// Probe every second for up to five minutes, so waiting replicas start soon after
		// the first finishes.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("creating migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration under an advisory lock and returns how many it
// applied. Several processes may call it at once on one database: all succeed.
func Migrate(ctx context.Context, db *sql.DB) (applied int, err error) {
	p, err := newProvider(db, true)
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("applying migrations: %w", err)
	}
	return len(results), nil
}

// versionTableExistsSQL asks whether goose has ever run on the database.
const versionTableExistsSQL = `SELECT to_regclass('goose_db_version') IS NOT NULL`

// SchemaCurrent reports whether every migration has been applied. It writes nothing, so it
// suits a readiness probe.
func SchemaCurrent(ctx context.Context, db *sql.DB) (bool, error) {
	var exists bool
	if err := db.QueryRowContext(ctx, versionTableExistsSQL).Scan(&exists); err != nil {
		return false, fmt.Errorf("looking for the migration table: %w", err)
	}
	if !exists {
		return false, nil
	}
	p, err := newProvider(db, false)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("checking for pending migrations: %w", err)
	}
	return !pending, nil
}
