package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// write stores what the batch decided with writeUnitSQL and fills in each write's result.
func (u *unit) write(ctx context.Context, tx *sqlx.Tx, recorded map[string]bool) error {
	if len(u.events) == 0 && len(u.claims) == 0 && len(u.pendings) == 0 {
		return nil
	}
	args, err := u.writeArgs()
	if err != nil {
		return err
	}
	var rows []appendedRow
	if err := u.prep.selectIn(ctx, tx, &rows, writeUnitSQL, args...); err != nil {
		return writeError(u.businessID, err)
	}
	stored, err := u.storedEvents(ctx, tx, rows, recorded)
	if err != nil {
		return err
	}
	for j, e := range stored {
		r := &u.results[u.owner[j]]
		r.committed.Events = append(r.committed.Events, e)
	}
	for i, first := range u.dupOf {
		u.results[i] = u.results[first]
		u.results[i].committed.Fresh = false
	}
	return nil
}

// appendedRow is an event writeUnitSQL appended.
type appendedRow struct {
	ID           int64         `db:"id"`
	Key          string        `db:"idempotency_key"`
	OccurredAt   time.Time     `db:"occurred_at"`
	DisclosureID sql.NullInt64 `db:"disclosure_id"`
}

// writeArgs lays the batch out as writeUnitSQL's arrays, after $1, the business.
func (u *unit) writeArgs() ([]any, error) {
	var d disclosureColumns
	var refs, claimPhones, claimChannels, replies []string
	for _, c := range u.claims {
		refs, claimPhones = append(refs, c.ref), append(claimPhones, c.phone)
		claimChannels, replies = append(claimChannels, string(c.channel)), append(replies, c.reply)
	}
	var p, cat, a, ch, r, in, ref, ev, at, key []string
	var dn []int64
	for j := range u.events {
		e := &u.events[j]
		evidence, err := evidenceJSON(*e)
		if err != nil {
			return nil, err
		}
		n := int64(0)
		if e.Disclosure != nil {
			*e.Disclosure = addressed(u.businessID, e.Channel, *e.Disclosure)
			n = d.index(*e.Disclosure)
		}
		p, cat, a, ch = append(p, e.Phone), append(cat, e.Category), append(a, string(e.Action)), append(ch, string(e.Channel))
		r, in, ref, ev = append(r, string(e.Reason)), append(in, e.Input), append(ref, e.ProviderRef), append(ev, evidence)
		at, key, dn = append(at, e.OccurredAt.UTC().Format(timeFormat)), append(key, e.IdempotencyKey), append(dn, n)
	}
	var cleared, pp, pc, pch, px []string
	var pdn []int64
	for phone, change := range u.pendings {
		pend := change.pending
		if pend == nil || len(pend.Categories) == 0 {
			cleared = append(cleared, phone)
			continue
		}
		pendCh := pend.Channel
		if pendCh == "" {
			pendCh = change.channel
		}
		n := d.index(addressed(u.businessID, pendCh, pend.Disclosure))
		pp, pc, pdn = append(pp, phone), append(pc, strings.Join(pend.Categories, ",")), append(pdn, n)
		pch, px = append(pch, string(pendCh)), append(px, pend.ExpiresAt.UTC().Format(timeFormat))
	}
	return []any{u.businessID,
		pq.Array(d.channel), pq.Array(d.language), pq.Array(d.text), pq.Array(d.sha256),
		pq.Array(refs), pq.Array(claimPhones), pq.Array(claimChannels), pq.Array(replies),
		pq.Array(p), pq.Array(cat), pq.Array(a), pq.Array(ch), pq.Array(r), pq.Array(in), pq.Array(ref),
		pq.Array(ev), pq.Array(at), pq.Array(key), pq.Array(dn),
		pq.Array(cleared), pq.Array(pp), pq.Array(pc), pq.Array(pdn), pq.Array(pch), pq.Array(px),
	}, nil
}

func evidenceJSON(e consent.Event) (string, error) {
	if len(e.Evidence) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(e.Evidence)
	if err != nil {
		return "", fmt.Errorf("encoding evidence of event %q: %w", e.IdempotencyKey, err)
	}
	return string(b), nil
}

// disclosureColumns are the distinct disclosures of a batch, one array per column.
type disclosureColumns struct {
	channel, language, text, sha256 []string
	at                              map[disclosureKey]int64
}

// disclosureKey is a disclosure's content address within a business.
type disclosureKey struct{ channel, language, sha256 string }

// index returns the 1-based position of d among the batch's disclosures, adding it once.
func (c *disclosureColumns) index(d consent.Disclosure) int64 {
	k := disclosureKey{string(d.Channel), d.Language, d.SHA256}
	if n, ok := c.at[k]; ok {
		return n
	}
	if c.at == nil {
		c.at = map[disclosureKey]int64{}
	}
	c.channel, c.language = append(c.channel, k.channel), append(c.language, k.language)
	c.text, c.sha256 = append(c.text, d.Text), append(c.sha256, k.sha256)
	c.at[k] = int64(len(c.channel))
	return c.at[k]
}

// addressed returns d as stored: of the business, on its channel (ch when it names none),
// with its hash computed from its text.
func addressed(businessID string, ch consent.Channel, d consent.Disclosure) consent.Disclosure {
	if d.Channel != "" {
		ch = d.Channel
	}
	return consent.NewDisclosure(businessID, ch, d.Language, d.Text)
}
