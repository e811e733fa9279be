package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// unitStateSQL reads what a batch is decided on, without a lock: which of its messages were
// handled before ('m': ref, reply), the current consent of each person ('c') and their
// pending disclosure ('p', with its version), the highest seq of the business's other
// writers ('w', see optin_write_unit) and the business's category keys ('k': the ledger
// holds events of those only, checked here rather than by a foreign key on every row). The
// write that follows checks, under the lock, that none of the state changed meanwhile.
const unitStateSQL = `
SELECT 'm' AS kind, m.provider_ref AS phone, NULL AS category, NULL AS status, NULL AS channel,
	CAST(NULL AS timestamptz) AS at, CAST(NULL AS bigint) AS event_id, m.reply,
	CAST(NULL AS text[]) AS categories, CAST(NULL AS bigint) AS disclosure_id, NULL AS disclosure_channel,
	NULL AS language, NULL AS body, NULL AS sha256, CAST(NULL AS bigint) AS version
FROM inbound_messages m WHERE m.business_id = $1 AND m.provider_ref = ANY ($2)
UNION ALL
SELECT 'c', c.phone, c.category, c.status, c.channel, c.updated_at, c.event_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM consents c WHERE c.business_id = $1 AND c.phone = ANY ($3)
UNION ALL
SELECT 'p', v.phone, NULL, NULL, v.channel, v.expires_at, NULL, NULL, v.categories, d.id, d.channel, d.language,
	d.text, d.sha256, v.version
FROM conversations v
JOIN disclosures d ON d.business_id = v.business_id AND d.id = v.disclosure_id
WHERE v.business_id = $1 AND v.phone = ANY ($4)
UNION ALL
SELECT 'w', '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, COALESCE(max(u.seq), 0)
FROM unit_writers u WHERE u.business_id = $1 AND u.writer <> $5
UNION ALL
SELECT 'k', '', k.key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM categories k WHERE k.business_id = $1
ORDER BY 1, 2, 3`

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
	Version           sql.NullInt64  `db:"version"`
}

// readUnit reads everything the writes of a batch are decided on, with the versions the
// write checks them against, and takes the unit's time once it has.
func (s *Store) readUnit(ctx context.Context, businessID string, writes []consent.Write) (*unit, error) {
	u := &unit{
		businessID: businessID, prep: s.prep, writer: s.writer, writes: writes,
		states: map[string]*personState{}, claimed: map[string]string{}, categories: map[string]bool{},
		results: make([]writeResult, len(writes)), pendings: map[string]pendingChange{}, dupOf: map[int]int{},
	}
	phones, messagePhones, refs := []string{}, []string{}, []string{}
	for _, w := range writes {
		if w.Phone != "" {
			if _, seen := u.states[w.Phone]; !seen {
				u.states[w.Phone] = &personState{}
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
	if err := s.prep.selectDB(ctx, &rows, unitStateSQL, businessID, pq.Array(refs), pq.Array(phones), pq.Array(messagePhones), s.writer); err != nil {
		return nil, fmt.Errorf("reading the state of %d people: %w", len(phones), err)
	}
	u.now = s.clock().UTC()
	for _, r := range rows {
		u.addState(r)
	}
	return u, nil
}

// personState is one person's state as the batch's writes so far leave it, with the versions
// it was read at.
type personState struct {
	consent.State
	consentVersion int64 // the latest event id among the person's consents when read; 0 for none
	pendingVersion int64 // the version of their pending disclosure when read; 0 for none
}

func (u *unit) addState(r stateRow) {
	switch r.Kind {
	case "m":
		u.claimed[r.Phone] = r.Reply.String
	case "c":
		s := u.states[r.Phone]
		s.Consents = append(s.Consents, consent.Consent{BusinessID: u.businessID, Phone: r.Phone, Category: r.Category.String,
			Status: consent.Status(r.Status.String), Channel: consent.Channel(r.Channel.String),
			UpdatedAt: r.At.Time.UTC(), EventID: r.EventID.Int64})
		s.consentVersion = max(s.consentVersion, r.EventID.Int64)
	case "w":
		u.othersSeq = r.Version.Int64
	case "k":
		u.categories[r.Category.String] = true
	case "p":
		s := u.states[r.Phone]
		s.Pending = &consent.Pending{
			Categories: r.Categories,
			Channel:    consent.Channel(r.Channel.String),
			ExpiresAt:  r.At.Time.UTC(),
			Disclosure: consent.Disclosure{ID: r.DisclosureID.Int64, BusinessID: u.businessID,
				Channel: consent.Channel(r.DisclosureChannel.String), Language: r.Language.String,
				Text: r.Body.String, SHA256: r.SHA256.String},
		}
		s.pendingVersion = r.Version.Int64
	}
}
