package postgres

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// Pending returns the disclosure last sent to a phone that awaits a YES, or nil when none,
// read as a batch reads it. An expired one is returned too: the caller decides with
// Pending.Active and its own clock.
func (s *Store) Pending(ctx context.Context, businessID, phone string) (*consent.Pending, error) {
	var rows []stateRow
	none := pq.Array([]string{})
	if err := s.prep.selectDB(ctx, &rows, unitStateSQL, businessID, none, none, pq.Array([]string{phone}), s.writer); err != nil {
		return nil, fmt.Errorf("reading pending disclosure: %w", err)
	}
	u := &unit{businessID: businessID, states: map[string]*personState{phone: {}}}
	for _, r := range rows {
		if r.Kind == "p" {
			u.addState(r)
		}
	}
	return u.states[phone].Pending, nil
}
