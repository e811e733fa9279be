package postgres

import (
	"context"
	"fmt"

	"github.com/optin/optin/consent"
)

// countConsentsSQL counts the consents of a business matching a filter: the rows an export
// of the same filter holds (an index-only scan of the covering primary key).
const countConsentsSQL = `SELECT count(*) FROM consents` + consentFilterSQL

// CountConsents returns how many consents of a business match f, for a progress bar that
// knows its end before an export starts.
func (s *Store) CountConsents(ctx context.Context, businessID string, f consent.ConsentFilter) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, countConsentsSQL, filterArgs(businessID, f)...); err != nil {
		return 0, fmt.Errorf("counting consents: %w", err)
	}
	return n, nil
}
