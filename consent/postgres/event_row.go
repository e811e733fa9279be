package postgres

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/optin/optin/consent"
)

// selectEventsSQL selects ledger events with the disclosure each answered, as eventRow.
const selectEventsSQL = `
SELECT e.id, e.business_id, e.phone, e.category, e.action, e.channel, e.reason, e.input, e.provider_ref,
	e.evidence, e.occurred_at, e.idempotency_key,
	e.disclosure_id, d.channel AS disclosure_channel, d.language AS disclosure_language,
	d.text AS disclosure_text, d.sha256 AS disclosure_sha256
FROM consent_events e
LEFT JOIN disclosures d ON d.business_id = e.business_id AND d.id = e.disclosure_id`

// eventRow is one row of selectEventsSQL.
type eventRow struct {
	ID                 int64          `db:"id"`
	BusinessID         string         `db:"business_id"`
	Phone              string         `db:"phone"`
	Category           string         `db:"category"`
	Action             string         `db:"action"`
	Channel            string         `db:"channel"`
	Reason             string         `db:"reason"`
	Input              string         `db:"input"`
	ProviderRef        string         `db:"provider_ref"`
	Evidence           []byte         `db:"evidence"`
	OccurredAt         time.Time      `db:"occurred_at"`
	IdempotencyKey     string         `db:"idempotency_key"`
	DisclosureID       sql.NullInt64  `db:"disclosure_id"`
	DisclosureChannel  sql.NullString `db:"disclosure_channel"`
	DisclosureLanguage sql.NullString `db:"disclosure_language"`
	DisclosureText     sql.NullString `db:"disclosure_text"`
	DisclosureSHA256   sql.NullString `db:"disclosure_sha256"`
}

func (r eventRow) event() (consent.Event, error) {
	e := consent.Event{
		ID: r.ID, BusinessID: r.BusinessID, Phone: r.Phone, Category: r.Category,
		Action: consent.Action(r.Action), Channel: consent.Channel(r.Channel), Reason: consent.Reason(r.Reason),
		Input: r.Input, ProviderRef: r.ProviderRef, OccurredAt: r.OccurredAt.UTC(), IdempotencyKey: r.IdempotencyKey,
	}
	if err := json.Unmarshal(r.Evidence, &e.Evidence); err != nil {
		return e, fmt.Errorf("decoding evidence of event %d: %w", r.ID, err)
	}
	if len(e.Evidence) == 0 {
		e.Evidence = nil
	}
	if r.DisclosureID.Valid {
		e.Disclosure = &consent.Disclosure{
			ID: r.DisclosureID.Int64, BusinessID: r.BusinessID, Channel: consent.Channel(r.DisclosureChannel.String),
			Language: r.DisclosureLanguage.String, Text: r.DisclosureText.String, SHA256: r.DisclosureSHA256.String,
		}
	}
	return e, nil
}
