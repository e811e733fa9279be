package main

import (
	"context"
	"fmt"
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
	store, n, err := openMigrated(ctx, url)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintf(c.stdout, "applied %d migration(s); schema is current\n", n)
	return nil
}
