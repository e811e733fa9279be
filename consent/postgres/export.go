package postgres

import (
	"context"
	"fmt"

	"github.com/optin/optin/consent"
)

// exportConsentsSQL reads every consent of a business matching a filter, in one statement and
// so in one consistent snapshot, in the same order as lists.
const exportConsentsSQL = `
SELECT business_id, phone, category, status, channel, updated_at, event_id FROM consents` + consentFilterSQL + `
ORDER BY phone, category`

// ExportConsents calls each for every consent of a business matching f, in (phone, category)
// order, as the rows arrive from the database: memory stays constant however many there are.
// It stops at the first error each returns, or when ctx ends, and returns that error.
func (s *Store) ExportConsents(ctx context.Context, businessID string, f consent.ConsentFilter, each func(consent.Consent) error) error {
	rows, err := s.db.QueryContext(ctx, exportConsentsSQL, filterArgs(businessID, f)...)
	if err != nil {
		return fmt.Errorf("exporting consents: %w", err)
	}
	defer rows.Close()
	var r consentRow
	for rows.Next() {
		if err := ctx.Err(); err != nil { // rows already received would otherwise still be handed out
			return fmt.Errorf("exporting consents: %w", err)
		}
		if err := rows.Scan(&r.BusinessID, &r.Phone, &r.Category, &r.Status, &r.Channel, &r.UpdatedAt, &r.EventID); err != nil {
			return fmt.Errorf("exporting consents: %w", err)
		}
		if err := each(r.consent()); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("exporting consents: %w", err)
	}
	return nil
}
