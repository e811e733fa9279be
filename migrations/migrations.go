// Package migrations holds the numbered SQL files that build the database schema, embedded
// in the binary and applied in order with goose by consent/postgres.Migrate.
//
// Every table a business owns is keyed by business_id first, so the schema can later be
// distributed by business. Files are append-only: a released file is never edited; a change
// is a new, higher-numbered file.
package migrations

import "embed"

// FS holds the migration files at its root, named NNNNN_what.sql.
//
//go:embed *.sql
var FS embed.FS
