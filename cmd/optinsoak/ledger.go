package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// ledgerEvent is one row of consent_events, as the checks read it.
type ledgerEvent struct {
	id       int64
	phone    string
	category string
	action   string
	channel  string
	ref      string
	key      string // idempotency_key
}

// ledgerWait bounds one read of the ledger.
const ledgerWait = 30 * time.Second

// ledgerSQL reads every event of the phase's business; each phase has its own database.
const ledgerSQL = `SELECT id, phone, category, action, channel, COALESCE(provider_ref, ''), idempotency_key
FROM consent_events WHERE business_id = $1 ORDER BY id`

// ledger reads the business's events.
func (s *stage) ledger(ctx context.Context) ([]ledgerEvent, error) {
	ctx, cancel := context.WithTimeout(ctx, ledgerWait)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, ledgerSQL, s.business.ID)
	if err != nil {
		return nil, fmt.Errorf("read the ledger: %w", err)
	}
	defer rows.Close()
	var out []ledgerEvent
	for rows.Next() {
		var e ledgerEvent
		if err := rows.Scan(&e.id, &e.phone, &e.category, &e.action, &e.channel, &e.ref, &e.key); err != nil {
			return nil, fmt.Errorf("read the ledger: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// visibleSQL reads which (category, action) pairs the ledger holds for some phones.
const visibleSQL = `SELECT phone, category, action FROM consent_events WHERE business_id = $1 AND phone = ANY($2)`

// visible returns, for the phones asked, the set of phone|category|action keys recorded.
func (s *stage) visible(ctx context.Context, phones []string) (map[string]bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, visibleSQL, s.business.ID, pq.Array(phones))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var phone, category, action string
		if err := rows.Scan(&phone, &category, &action); err != nil {
			return nil, err
		}
		seen[eventKey(phone, category, action)] = true
	}
	return seen, rows.Err()
}

// consentsSQL reads the current state of every person of the business.
const consentsSQL = `SELECT phone, category, status FROM consents WHERE business_id = $1`

// consents returns the current status by phone|category.
func (s *stage) consents(ctx context.Context) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, ledgerWait)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, consentsSQL, s.business.ID)
	if err != nil {
		return nil, fmt.Errorf("read consents: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var phone, category, status string
		if err := rows.Scan(&phone, &category, &status); err != nil {
			return nil, fmt.Errorf("read consents: %w", err)
		}
		out[phone+"|"+category] = status
	}
	return out, rows.Err()
}

// eventKey names what one event records: an action on one category of one phone.
func eventKey(phone, category, action string) string {
	return strings.Join([]string{phone, category, action}, "|")
}

// keys are the event keys a write asks for.
func (w write) keys() []string {
	out := make([]string, len(w.categories))
	for i, c := range w.categories {
		out[i] = eventKey(w.phone, c, string(w.action))
	}
	return out
}
