package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/optin/optin/consent"
)

// RecordInTx lets the external tests append events inside a transaction they hold open, as
// another replica's batch would.
func (s *Store) RecordInTx(ctx context.Context, tx *sqlx.Tx, events []consent.Event) ([]consent.Event, error) {
	results, err := s.unitInTx(ctx, tx, []consent.Write{{BusinessID: events[0].BusinessID, Decide: consent.Fixed(consent.Outcome{Events: events})}}, nil)
	if err != nil {
		return nil, err
	}
	return results[0].committed.Events, results[0].err
}
