package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// readUnit reads, under the ledger lock, everything the writes of a batch are decided on:
// which of its messages were handled before, and the consent and pending disclosure of each
// person it is about.
func readUnit(ctx context.Context, tx *sqlx.Tx, businessID string, writes []consent.Write, now time.Time) (*unit, error) {
	u := &unit{
		businessID: businessID, writes: writes, now: now,
		states: map[string]*consent.State{}, claimed: map[string]string{},
		results: make([]writeResult, len(writes)), pendings: map[string]pendingChange{}, dupOf: map[int]int{},
	}
	var phones, messagePhones, refs []string
	for _, w := range writes {
		if w.Phone != "" {
			if _, seen := u.states[w.Phone]; !seen {
				u.states[w.Phone] = &consent.State{}
				phones = append(phones, w.Phone)
			}
			if w.Message != nil {
				messagePhones = append(messagePhones, w.Phone)
			}
		}
		if w.Message != nil {
			refs = append(refs, w.Message.ProviderRef)
		}
	}
	if err := u.readClaims(ctx, tx, refs); err != nil {
		return nil, err
	}
	if err := u.readConsents(ctx, tx, phones); err != nil {
		return nil, err
	}
	if err := u.readPendings(ctx, tx, messagePhones); err != nil {
		return nil, err
	}
	return u, nil
}

// claimedSQL reads the replies stored for messages of the batch handled before.
const claimedSQL = `
SELECT provider_ref, reply FROM inbound_messages WHERE business_id = $1 AND provider_ref = ANY($2)`

func (u *unit) readClaims(ctx context.Context, tx *sqlx.Tx, refs []string) error {
	if len(refs) == 0 {
		return nil
	}
	var rows []struct {
		Ref   string `db:"provider_ref"`
		Reply string `db:"reply"`
	}
	if err := tx.SelectContext(ctx, &rows, claimedSQL, u.businessID, pq.Array(refs)); err != nil {
		return fmt.Errorf("reading messages handled before: %w", err)
	}
	for _, r := range rows {
		u.claimed[r.Ref] = r.Reply
	}
	return nil
}

// unitConsentsSQL reads the current consent of every person of a batch.
const unitConsentsSQL = `
SELECT business_id, phone, category, status, channel, updated_at, event_id FROM consents
WHERE business_id = $1 AND phone = ANY($2)
ORDER BY phone, category`

func (u *unit) readConsents(ctx context.Context, tx *sqlx.Tx, phones []string) error {
	if len(phones) == 0 {
		return nil
	}
	var rows []consentRow
	if err := tx.SelectContext(ctx, &rows, unitConsentsSQL, u.businessID, pq.Array(phones)); err != nil {
		return fmt.Errorf("reading consent of %d people: %w", len(phones), err)
	}
	for _, r := range rows {
		s := u.states[r.Phone]
		s.Consents = append(s.Consents, r.consent())
	}
	return nil
}

// unitPendingsSQL reads the disclosure awaiting a YES from every person of a batch.
const unitPendingsSQL = `
SELECT c.phone, c.categories, c.channel, c.expires_at, d.id, d.channel AS disclosure_channel, d.language, d.text, d.sha256
FROM conversations c
JOIN disclosures d ON d.business_id = c.business_id AND d.id = c.disclosure_id
WHERE c.business_id = $1 AND c.phone = ANY($2)`

// pendingRow is one row of unitPendingsSQL.
type pendingRow struct {
	Phone             string         `db:"phone"`
	Categories        pq.StringArray `db:"categories"`
	Channel           string         `db:"channel"`
	ExpiresAt         time.Time      `db:"expires_at"`
	DisclosureID      int64          `db:"id"`
	DisclosureChannel string         `db:"disclosure_channel"`
	Language          string         `db:"language"`
	Text              string         `db:"text"`
	SHA256            string         `db:"sha256"`
}

func (r pendingRow) pending(businessID string) *consent.Pending {
	return &consent.Pending{
		Categories: r.Categories,
		Channel:    consent.Channel(r.Channel),
		ExpiresAt:  r.ExpiresAt.UTC(),
		Disclosure: consent.Disclosure{ID: r.DisclosureID, BusinessID: businessID, Channel: consent.Channel(r.DisclosureChannel),
			Language: r.Language, Text: r.Text, SHA256: r.SHA256},
	}
}

func (u *unit) readPendings(ctx context.Context, tx *sqlx.Tx, phones []string) error {
	if len(phones) == 0 {
		return nil
	}
	var rows []pendingRow
	if err := tx.SelectContext(ctx, &rows, unitPendingsSQL, u.businessID, pq.Array(phones)); err != nil {
		return fmt.Errorf("reading pending disclosures of %d people: %w", len(phones), err)
	}
	for _, r := range rows {
		u.states[r.Phone].Pending = r.pending(u.businessID)
	}
	return nil
}
