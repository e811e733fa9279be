package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// decisionInputsSQL reads what the send decision needs about each phone of $2, in their
// order, in one round trip: the consent for category $3 (by the primary key of consents), the
// last inbound message on channel $4 (from the end of inbound_messages_latest) and the latest
// platform stop reported on that channel (signals_person).
const decisionInputsSQL = `
SELECT p.phone, c.status, c.channel, c.updated_at, c.event_id,
	(SELECT max(m.received_at) FROM inbound_messages m
	 WHERE m.business_id = $1 AND m.phone = p.phone AND m.channel = $4) AS last_inbound,
	(SELECT max(s.occurred_at) FROM signals s
	 WHERE s.business_id = $1 AND s.phone = p.phone AND s.kind = 'platform_stop' AND s.channel = $4) AS platform_stop
FROM unnest(CAST($2 AS text[])) WITH ORDINALITY AS p(phone, n)
LEFT JOIN consents c ON c.business_id = $1 AND c.phone = p.phone AND c.category = $3
ORDER BY p.n`

// decisionRow is one row of decisionInputsSQL; the consent columns are NULL for a phone that
// never answered for the category.
type decisionRow struct {
	Phone       string         `db:"phone"`
	Status      sql.NullString `db:"status"`
	Channel     sql.NullString `db:"channel"`
	UpdatedAt   sql.NullTime   `db:"updated_at"`
	EventID     sql.NullInt64  `db:"event_id"`
	LastInbound sql.NullTime   `db:"last_inbound"`
	// PlatformStop is the latest platform stop (63033) on the channel; WhatsApp reports no
	// resume, so only the latest can matter.
	PlatformStop sql.NullTime `db:"platform_stop"`
}

// DecisionInputs returns what the send decision about category on channel needs to know of
// each phone (E.164), in the order given, read in one statement from the primary. Erasures
// are not stored yet (DESIGN §3): until they are, no input is erased, and their read joins
// this statement when they come.
func (s *Store) DecisionInputs(ctx context.Context, businessID, category string, ch consent.Channel, phones []string) ([]consent.DecisionInput, error) {
	var rows []decisionRow
	if err := s.prep.selectDB(ctx, &rows, decisionInputsSQL, businessID, pq.Array(nonNil(phones)), category, string(ch)); err != nil {
		return nil, fmt.Errorf("reading what decides a send: %w", err)
	}
	out := make([]consent.DecisionInput, len(rows))
	for i, r := range rows {
		out[i] = r.input(businessID, category)
	}
	return out, nil
}

func (r decisionRow) input(businessID, category string) consent.DecisionInput {
	in := consent.DecisionInput{Phone: r.Phone}
	if r.Status.Valid {
		in.Consent = &consent.Consent{BusinessID: businessID, Phone: r.Phone, Category: category,
			Status: consent.Status(r.Status.String), Channel: consent.Channel(r.Channel.String),
			UpdatedAt: r.UpdatedAt.Time.UTC(), EventID: r.EventID.Int64}
	}
	if r.LastInbound.Valid {
		at := r.LastInbound.Time.UTC()
		in.LastInbound = &at
	}
	if r.PlatformStop.Valid {
		in.PlatformStops = []time.Time{r.PlatformStop.Time.UTC()}
	}
	return in
}
