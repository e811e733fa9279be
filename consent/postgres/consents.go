package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/optin/optin/consent"
)

// consentRow is one row of the consents table.
type consentRow struct {
	BusinessID string    `db:"business_id"`
	Phone      string    `db:"phone"`
	Category   string    `db:"category"`
	Status     string    `db:"status"`
	Channel    string    `db:"channel"`
	UpdatedAt  time.Time `db:"updated_at"`
	EventID    int64     `db:"event_id"`
}

func (r consentRow) consent() consent.Consent {
	return consent.Consent{BusinessID: r.BusinessID, Phone: r.Phone, Category: r.Category,
		Status: consent.Status(r.Status), Channel: consent.Channel(r.Channel), UpdatedAt: r.UpdatedAt.UTC(), EventID: r.EventID}
}

// consentsOfSQL selects the current consent of one phone, by category.
const consentsOfSQL = `
SELECT business_id, phone, category, status, channel, updated_at, event_id FROM consents
WHERE business_id = $1 AND phone = $2
ORDER BY category`

// ConsentsOf returns the current consent of one phone for each category it ever answered,
// ordered by category; an empty slice when the phone is unknown.
func (s *Store) ConsentsOf(ctx context.Context, businessID, phone string) ([]consent.Consent, error) {
	var rows []consentRow
	if err := s.db.SelectContext(ctx, &rows, consentsOfSQL, businessID, phone); err != nil {
		return nil, fmt.Errorf("reading consents of a phone: %w", err)
	}
	out := make([]consent.Consent, len(rows))
	for i, r := range rows {
		out[i] = r.consent()
	}
	return out, nil
}

// evidenceSQL selects every event of one phone in the order they occurred.
const evidenceSQL = selectEventsSQL + `
WHERE e.business_id = $1 AND e.phone = $2
ORDER BY e.occurred_at, e.id`

// Evidence returns every ledger event of one phone, oldest first, each with the disclosure it
// answered; an empty slice when the phone is unknown.
func (s *Store) Evidence(ctx context.Context, businessID, phone string) ([]consent.Event, error) {
	var rows []eventRow
	if err := s.db.SelectContext(ctx, &rows, evidenceSQL, businessID, phone); err != nil {
		return nil, fmt.Errorf("reading evidence of a phone: %w", err)
	}
	out := make([]consent.Event, len(rows))
	for i, r := range rows {
		e, err := r.event()
		if err != nil {
			return nil, fmt.Errorf("reading evidence of a phone: %w", err)
		}
		out[i] = e
	}
	return out, nil
}
