package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/optin/optin/consent/postgres"
)

// devDataDir is where `optin dev` keeps its local PostgreSQL and the files other commands
// read to find it.
const devDataDir = ".data"

// devURLFile holds the URL of the database `optin dev` serves, so that `optin key create`
// and friends work in the same directory without DATABASE_URL.
var devURLFile = filepath.Join(devDataDir, "database_url")

// databaseURL is DATABASE_URL, or the URL of the `optin dev` database in this directory.
func (c *cli) databaseURL() (string, error) {
	if u := c.getenv("DATABASE_URL"); u != "" {
		return u, nil
	}
	b, err := os.ReadFile(devURLFile)
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	return "", errors.New("DATABASE_URL is not set and no 'optin dev' database runs in this directory: " +
		"set DATABASE_URL=postgres://user:pass@host:5432/db?sslmode=disable or start 'make run' here first")
}

// openStore opens the configured database and applies pending migrations.
func (c *cli) openStore(ctx context.Context) (*postgres.Store, error) {
	url, err := c.databaseURL()
	if err != nil {
		return nil, err
	}
	store, _, err := openMigrated(ctx, url)
	return store, err
}

// openMigrated opens the database at url and applies pending migrations under the advisory
// lock, returning how many it applied. Every command that touches the database starts here.
func openMigrated(ctx context.Context, url string) (*postgres.Store, int, error) {
	store, err := postgres.Open(ctx, url)
	switch {
	case errors.Is(err, postgres.ErrBadURL):
		return nil, 0, fmt.Errorf("DATABASE_URL: %w", err)
	case err != nil:
		return nil, 0, fmt.Errorf("open database: %w: %w", errUnreachable, err)
	}
	applied, err := migrateOnce(ctx, url)
	if err != nil {
		store.Close()
		return nil, 0, err
	}
	return store, applied, nil
}

// errUnreachable marks a database that did not answer, as opposed to one that refused what
// was asked of it.
var errUnreachable = errors.New("the database does not answer")

// migrateOnce applies pending migrations under the advisory lock, over connections of its own
// without a statement timeout.
func migrateOnce(ctx context.Context, url string) (int, error) {
	mdb, err := postgres.OpenMigrationDB(url)
	if err != nil {
		return 0, err
	}
	defer mdb.Close()
	if err := mdb.PingContext(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w: %w", errUnreachable, err)
	}
	applied, err := postgres.Migrate(ctx, mdb)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return applied, nil
}
