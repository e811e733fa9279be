package postgres_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/migrations"
)

func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := migrations.FS.ReadDir(".")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return len(files)
}

func openDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateBuildsAnEmptyDatabaseAndARerunAppliesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t, pgtest.ServerURL(t))

	current, err := postgres.SchemaCurrent(ctx, db)
	require.NoError(t, err)
	require.False(t, current, "an empty database is not current")

	applied, err := postgres.Migrate(ctx, db)
	require.NoError(t, err)
	require.Equal(t, migrationCount(t), applied)
	current, err = postgres.SchemaCurrent(ctx, db)
	require.NoError(t, err)
	require.True(t, current)

	applied, err = postgres.Migrate(ctx, db)
	require.NoError(t, err)
	require.Zero(t, applied)
}

func TestSchemaCurrentWritesNothingToAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t, pgtest.ServerURL(t))
	_, err := postgres.SchemaCurrent(ctx, db)
	require.NoError(t, err)
	var tables int
	require.NoError(t, db.QueryRowContext(ctx,
		`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables))
	require.Zero(t, tables)
}

func TestEightMigratorsStartingTogetherAllSucceed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.ServerURL(t)
	const migrators = 8
	dbs := make([]*sql.DB, migrators)
	for i := range dbs {
		dbs[i] = openDB(t, url) // one pool each, as separate processes would have
	}
	applied := make([]int, migrators)
	errs := make([]error, migrators)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range dbs {
		done.Go(func() {
			start.Wait()
			applied[i], errs[i] = postgres.Migrate(ctx, dbs[i])
		})
	}
	start.Done()
	done.Wait()

	total := 0
	for i := range dbs {
		require.NoError(t, errs[i], "migrator %d", i)
		total += applied[i]
	}
	require.Equal(t, migrationCount(t), total, "every migration applied exactly once")
	current, err := postgres.SchemaCurrent(ctx, dbs[0])
	require.NoError(t, err)
	require.True(t, current)
}
