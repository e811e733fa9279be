package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/optin/optin/consent"
)

// RecordInTx lets the external tests append events inside a transaction they hold open, as
// another replica's batch would while it commits: the ledger lock stays held until tx ends.
func (s *Store) RecordInTx(ctx context.Context, tx *sqlx.Tx, events []consent.Event) ([]consent.Event, error) {
	writes := []consent.Write{{BusinessID: events[0].BusinessID, Decide: consent.Fixed(consent.Outcome{Events: events})}}
	u, err := s.readUnit(ctx, events[0].BusinessID, writes)
	if err != nil {
		return nil, err
	}
	u.tx = tx
	u.decideAll(nil)
	if _, err := u.write(ctx, map[string]bool{}); err != nil {
		return nil, err
	}
	return u.results[0].committed.Events, u.results[0].err
}
