package pgtest_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestEachTestGetsItsOwnMigratedEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := pgtest.NewDB(t), pgtest.NewDB(t)
	current, err := postgres.SchemaCurrent(ctx, a.DB)
	require.NoError(t, err)
	require.True(t, current)

	_, err = a.ExecContext(ctx, `INSERT INTO businesses (id, name, language, revocation) VALUES ('acme', 'Acme', 'en-US', 'category')`)
	require.NoError(t, err)
	var n int
	require.NoError(t, b.GetContext(ctx, &n, `SELECT count(*) FROM businesses`))
	require.Zero(t, n, "a write to one database is not seen in another")
}

func TestServerURLIsAnEmptyUnmigratedDatabase(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("postgres", pgtest.ServerURL(t))
	require.NoError(t, err)
	defer db.Close()
	current, err := postgres.SchemaCurrent(context.Background(), db)
	require.NoError(t, err)
	require.False(t, current)
}

func TestDatabasesAreDroppedWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var name string
	t.Run("a test that takes a database", func(t *testing.T) {
		db := pgtest.NewDB(t)
		require.NoError(t, db.GetContext(ctx, &name, `SELECT current_database()`))
		// A session still open when the test ends does not keep the database alive.
		_, err := db.ExecContext(ctx, `SELECT 1`)
		require.NoError(t, err)
	})
	var exists bool
	require.NoError(t, pgtest.NewDB(t).GetContext(ctx, &exists,
		`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name))
	require.False(t, exists, "database %s still exists", name)
}
