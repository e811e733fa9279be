package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/optin/optin/consent"
)

// RecordInTx lets the external tests append events inside a transaction they hold open.
func RecordInTx(ctx context.Context, tx *sqlx.Tx, events []consent.Event) ([]consent.Event, error) {
	return record(ctx, tx, events)
}
