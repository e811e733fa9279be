package postgres

import (
	"context"
	"fmt"

	"github.com/optin/optin/consent"
)

// eventsAfterSQL reads the ledger of a business in id order after an id.
const eventsAfterSQL = selectEventsSQL + `
WHERE e.business_id = $1 AND e.id > $2
ORDER BY e.id
LIMIT $3`

// EventsAfter returns up to limit ledger events of a business with ids above after, in id
// order, each with the disclosure it answered.
func (s *Store) EventsAfter(ctx context.Context, businessID string, after int64, limit int) ([]consent.Event, error) {
	var rows []eventRow
	if err := s.db.SelectContext(ctx, &rows, eventsAfterSQL, businessID, after, limit); err != nil {
		return nil, fmt.Errorf("reading events after %d: %w", after, err)
	}
	out := make([]consent.Event, len(rows))
	for i, r := range rows {
		e, err := r.event()
		if err != nil {
			return nil, fmt.Errorf("reading events after %d: %w", after, err)
		}
		out[i] = e
	}
	return out, nil
}
