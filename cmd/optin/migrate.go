package main

import (
	"context"
	"fmt"

	"github.com/optin/optin/consent/postgres"
)

const migrateUsage = `migrate

Applies every pending migration under an advisory lock, so several replicas may run it at
once, and prints how many were applied. Environment: DATABASE_URL.
`

func runMigrate(ctx context.Context, c *cli, args []string) error {
	if err := parse(c.flags("migrate", migrateUsage), args); err != nil {
		return err
	}
	url, err := c.databaseURL()
	if err != nil {
		return err
	}
	store, err := postgres.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	n, err := postgres.Migrate(ctx, store.DB().DB)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintf(c.stdout, "applied %d migration(s); schema is current\n", n)
	return nil
}
