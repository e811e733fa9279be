package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// unitStateSQL takes the business's ledger lock, then reads which of the batch's messages
// were handled before and the consent and pending disclosure of each person it is about: one
// round trip (migrations/00004_batch_unit.sql says why it is a function).
const unitStateSQL = `
SELECT kind, phone, category, status, channel, at, event_id, reply, categories, disclosure_id,
	disclosure_channel, language, body, sha256
FROM optin_unit_state($1, $2, $3, $4, $5)`

// stateRow is one row of unitStateSQL; which columns are set depends on its kind.
type stateRow struct {
	Kind              string         `db:"kind"`
	Phone             string         `db:"phone"` // the provider ref, for kind m
	Category          sql.NullString `db:"category"`
	Status            sql.NullString `db:"status"`
	Channel           sql.NullString `db:"channel"`
	At                sql.NullTime   `db:"at"`
	EventID           sql.NullInt64  `db:"event_id"`
	Reply             sql.NullString `db:"reply"`
	Categories        pq.StringArray `db:"categories"`
	DisclosureID      sql.NullInt64  `db:"disclosure_id"`
	DisclosureChannel sql.NullString `db:"disclosure_channel"`
	Language          sql.NullString `db:"language"`
	Body              sql.NullString `db:"body"`
	SHA256            sql.NullString `db:"sha256"`
}

// readUnit locks the business's ledger and reads everything the writes of a batch are
// decided on.
func readUnit(ctx context.Context, tx *sqlx.Tx, prep *statements, businessID string, writes []consent.Write, clock func() time.Time) (*unit, error) {
	u := &unit{
		businessID: businessID, prep: prep, writes: writes,
		states: map[string]*consent.State{}, claimed: map[string]string{},
		results: make([]writeResult, len(writes)), pendings: map[string]pendingChange{}, dupOf: map[int]int{},
	}
	phones, messagePhones, refs := []string{}, []string{}, []string{}
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
	var rows []stateRow
	err := prep.selectIn(ctx, tx, &rows, unitStateSQL, ledgerLockClass, businessID, pq.Array(refs), pq.Array(phones), pq.Array(messagePhones))
	if err != nil {
		return nil, fmt.Errorf("locking the ledger of %s and reading the state of %d people: %w", businessID, len(phones), err)
	}
	u.now = clock().UTC() // after the lock was granted
	for _, r := range rows {
		switch r.Kind {
		case "m":
			u.claimed[r.Phone] = r.Reply.String
		case "c":
			s := u.states[r.Phone]
			s.Consents = append(s.Consents, consent.Consent{BusinessID: businessID, Phone: r.Phone, Category: r.Category.String,
				Status: consent.Status(r.Status.String), Channel: consent.Channel(r.Channel.String),
				UpdatedAt: r.At.Time.UTC(), EventID: r.EventID.Int64})
		case "p":
			u.states[r.Phone].Pending = &consent.Pending{
				Categories: r.Categories,
				Channel:    consent.Channel(r.Channel.String),
				ExpiresAt:  r.At.Time.UTC(),
				Disclosure: consent.Disclosure{ID: r.DisclosureID.Int64, BusinessID: businessID,
					Channel: consent.Channel(r.DisclosureChannel.String), Language: r.Language.String,
					Text: r.Body.String, SHA256: r.SHA256.String},
			}
		}
	}
	return u, nil
}
