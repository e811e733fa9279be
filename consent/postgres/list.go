package postgres

import (
	"context"
	"fmt"

	"github.com/optin/optin/consent"
)

// consentFilterSQL is the WHERE clause of lists and exports: $1 business, $2 category and
// $3 status (empty strings match any), $4 updated since (NULL matches any).
const consentFilterSQL = `
WHERE business_id = $1
	AND ($2 = '' OR category = $2)
	AND ($3 = '' OR status = $3)
	AND (CAST($4 AS timestamptz) IS NULL OR updated_at >= $4)`

// listConsentsSQL reads one page of consents after a (phone, category) position. The order is
// the primary key, which no write ever changes, so pages neither skip nor repeat a consent
// while others are updated.
const listConsentsSQL = `
SELECT business_id, phone, category, status, channel, updated_at, event_id FROM consents` + consentFilterSQL + `
	AND (phone, category) > ($5, $6)
ORDER BY phone, category
LIMIT $7`

// ListConsents returns up to limit consents of a business matching f, in (phone, category)
// order, starting after the position after (the zero key starts at the beginning).
func (s *Store) ListConsents(ctx context.Context, businessID string, f consent.ConsentFilter, after consent.ConsentKey, limit int) ([]consent.Consent, error) {
	var rows []consentRow
	err := s.db.SelectContext(ctx, &rows, listConsentsSQL, append(filterArgs(businessID, f), after.Phone, after.Category, limit)...)
	if err != nil {
		return nil, fmt.Errorf("listing consents: %w", err)
	}
	out := make([]consent.Consent, len(rows))
	for i, r := range rows {
		out[i] = r.consent()
	}
	return out, nil
}

// filterArgs are the arguments of consentFilterSQL.
func filterArgs(businessID string, f consent.ConsentFilter) []any {
	var since any
	if !f.UpdatedSince.IsZero() {
		since = f.UpdatedSince
	}
	return []any{businessID, f.Category, string(f.Status), since}
}
