package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// write stores what the batch decided, in a fixed order: disclosures, message claims,
// events, the consent they project to, pending disclosures; then fills in the results.
func (u *unit) write(ctx context.Context, tx *sqlx.Tx, recorded map[string]bool) error {
	if err := u.storeDisclosures(ctx, tx); err != nil {
		return err
	}
	if err := u.storeClaims(ctx, tx); err != nil {
		return err
	}
	stored, err := u.appendEvents(ctx, tx, recorded)
	if err != nil {
		return err
	}
	var fresh []consent.Event
	for j, e := range stored {
		if e.fresh {
			fresh = append(fresh, e.Event)
		}
		r := &u.results[u.owner[j]]
		r.committed.Events = append(r.committed.Events, e.Event)
	}
	if err := project(ctx, tx, fresh); err != nil {
		return err
	}
	if err := u.storePendings(ctx, tx); err != nil {
		return err
	}
	for i, first := range u.dupOf {
		u.results[i] = u.results[first]
		u.results[i].committed.Fresh = false
	}
	return nil
}

// disclosureKey is a disclosure's content address within a business.
type disclosureKey struct{ channel, language, sha256 string }

// storeDisclosuresSQL returns the ids of the batch's disclosures, inserting those the
// business has not stored yet: one statement for the batch.
const storeDisclosuresSQL = `
WITH input AS (
	SELECT * FROM unnest(CAST($2 AS text[]), CAST($3 AS text[]), CAST($4 AS text[]), CAST($5 AS text[])) AS x(ch, lang, body, sha)
), found AS (
	SELECT d.id, d.channel, d.language, d.sha256 FROM disclosures d
	JOIN input i ON d.business_id = $1 AND d.channel = i.ch AND d.language = i.lang AND d.sha256 = i.sha
), inserted AS (
	INSERT INTO disclosures (business_id, channel, language, text, sha256)
	SELECT $1, i.ch, i.lang, i.body, i.sha FROM input i
	WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.channel = i.ch AND f.language = i.lang AND f.sha256 = i.sha)
	ON CONFLICT (business_id, channel, language, sha256) DO NOTHING
	RETURNING id, channel, language, sha256
)
SELECT * FROM found UNION ALL SELECT * FROM inserted`

// storeDisclosures gives every disclosure of the batch's events and pendings its stored id.
// A disclosure without a channel takes the channel of the event or message using it.
func (u *unit) storeDisclosures(ctx context.Context, tx *sqlx.Tx) error {
	var all []*consent.Disclosure
	for j := range u.events {
		if d := u.events[j].Disclosure; d != nil {
			*d = addressed(u.businessID, u.events[j].Channel, *d)
			all = append(all, d)
		}
	}
	for phone, pc := range u.pendings {
		if p := pc.pending; p != nil && len(p.Categories) > 0 {
			p = clonePending(p)
			if p.Channel == "" {
				p.Channel = pc.channel
			}
			p.Disclosure = addressed(u.businessID, p.Channel, p.Disclosure)
			u.pendings[phone] = pendingChange{pending: p, channel: p.Channel}
			all = append(all, &p.Disclosure)
		}
	}
	if len(all) == 0 {
		return nil
	}
	ids, err := u.disclosureIDs(ctx, tx, all)
	if err != nil {
		return err
	}
	for _, d := range all {
		id, ok := ids[disclosureKey{string(d.Channel), d.Language, d.SHA256}]
		if !ok {
			return fmt.Errorf("storing disclosure: no id came back for %s", d.SHA256)
		}
		d.ID = id
	}
	return nil
}

func (u *unit) disclosureIDs(ctx context.Context, tx *sqlx.Tx, all []*consent.Disclosure) (map[disclosureKey]int64, error) {
	seen := map[disclosureKey]bool{}
	var ch, lang, body, sha []string
	for _, d := range all {
		k := disclosureKey{string(d.Channel), d.Language, d.SHA256}
		if !seen[k] {
			seen[k] = true
			ch, lang, body, sha = append(ch, k.channel), append(lang, k.language), append(body, d.Text), append(sha, k.sha256)
		}
	}
	var rows []struct {
		ID       int64  `db:"id"`
		Channel  string `db:"channel"`
		Language string `db:"language"`
		SHA256   string `db:"sha256"`
	}
	err := tx.SelectContext(ctx, &rows, storeDisclosuresSQL, u.businessID, pq.Array(ch), pq.Array(lang), pq.Array(body), pq.Array(sha))
	if err != nil {
		return nil, fmt.Errorf("storing %d disclosures: %w", len(ch), err)
	}
	ids := make(map[disclosureKey]int64, len(rows))
	for _, r := range rows {
		ids[disclosureKey{r.Channel, r.Language, r.SHA256}] = r.ID
	}
	return ids, nil
}

// addressed returns d as stored: of the business, on its channel (ch when it names none),
// with its hash computed from its text.
func addressed(businessID string, ch consent.Channel, d consent.Disclosure) consent.Disclosure {
	if d.Channel != "" {
		ch = d.Channel
	}
	return consent.NewDisclosure(businessID, ch, d.Language, d.Text)
}

func clonePending(p *consent.Pending) *consent.Pending {
	c := *p
	return &c
}

// storeClaimsSQL claims the batch's messages with the replies they get.
const storeClaimsSQL = `
INSERT INTO inbound_messages (business_id, provider_ref, phone, channel, reply)
SELECT $1, r, p, ch, rp FROM unnest(CAST($2 AS text[]), CAST($3 AS text[]), CAST($4 AS text[]), CAST($5 AS text[])) AS x(r, p, ch, rp)
ON CONFLICT (business_id, provider_ref) DO NOTHING`

func (u *unit) storeClaims(ctx context.Context, tx *sqlx.Tx) error {
	if len(u.claims) == 0 {
		return nil
	}
	var refs, phones, channels, replies []string
	for _, c := range u.claims {
		if u.results[c.write].err != nil {
			continue
		}
		refs, phones = append(refs, c.ref), append(phones, c.phone)
		channels, replies = append(channels, string(c.channel)), append(replies, c.reply)
	}
	if len(refs) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, storeClaimsSQL, u.businessID, pq.Array(refs), pq.Array(phones), pq.Array(channels), pq.Array(replies)); err != nil {
		return fmt.Errorf("claiming %d messages: %w", len(refs), err)
	}
	return nil
}

// savePendingsSQL remembers the disclosures awaiting a YES, replacing any other per phone.
const savePendingsSQL = `
INSERT INTO conversations (business_id, phone, categories, disclosure_id, channel, expires_at)
SELECT $1, p, string_to_array(c, ','), d, ch, CAST(x AS timestamptz)
FROM unnest(CAST($2 AS text[]), CAST($3 AS text[]), CAST($4 AS bigint[]), CAST($5 AS text[]), CAST($6 AS text[])) AS u(p, c, d, ch, x)
ON CONFLICT (business_id, phone) DO UPDATE SET
	categories = EXCLUDED.categories, disclosure_id = EXCLUDED.disclosure_id, channel = EXCLUDED.channel,
	expires_at = EXCLUDED.expires_at, updated_at = now()`

// clearPendingsSQL forgets the disclosures awaiting a YES from some phones.
const clearPendingsSQL = `DELETE FROM conversations WHERE business_id = $1 AND phone = ANY($2)`

func (u *unit) storePendings(ctx context.Context, tx *sqlx.Tx) error {
	var cleared, phones, cats, channels, expires []string
	var ids []int64
	for phone, pc := range u.pendings {
		p := pc.pending
		if p == nil || len(p.Categories) == 0 {
			cleared = append(cleared, phone)
			continue
		}
		phones, cats, ids = append(phones, phone), append(cats, strings.Join(p.Categories, ",")), append(ids, p.Disclosure.ID)
		channels, expires = append(channels, string(p.Channel)), append(expires, p.ExpiresAt.UTC().Format(timeFormat))
	}
	if len(cleared) > 0 {
		if _, err := tx.ExecContext(ctx, clearPendingsSQL, u.businessID, pq.Array(cleared)); err != nil {
			return fmt.Errorf("clearing %d pending disclosures: %w", len(cleared), err)
		}
	}
	if len(phones) > 0 {
		_, err := tx.ExecContext(ctx, savePendingsSQL, u.businessID, pq.Array(phones), pq.Array(cats), pq.Array(ids), pq.Array(channels), pq.Array(expires))
		if err != nil {
			return fmt.Errorf("saving %d pending disclosures: %w", len(phones), err)
		}
	}
	return nil
}
