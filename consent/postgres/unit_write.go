package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// writeUnitSQL writes a batch with optin_write_unit (migrations/00004_batch_unit.sql): under
// the business's ledger lock, in the statement's own transaction, it writes every write
// whose person's state is still what the batch read, and names the others stale.
const writeUnitSQL = `
SELECT kind, write_index, key, id, occurred_at, disclosure_id FROM optin_write_unit($1, $2,
	$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
	$24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39)`

// unitRow is one row of writeUnitSQL: an appended event ('e'), a stale write ('s') or a key
// found recorded before ('k').
type unitRow struct {
	Kind         string         `db:"kind"`
	Write        sql.NullInt64  `db:"write_index"`
	Key          sql.NullString `db:"key"`
	ID           sql.NullInt64  `db:"id"`
	OccurredAt   sql.NullTime   `db:"occurred_at"`
	DisclosureID sql.NullInt64  `db:"disclosure_id"`
}

// write stores what the batch decided and fills in each write's result. It returns the
// writes that were stale: nothing of them was written, and they must be decided again. Keys
// found recorded before are added to recorded.
func (u *unit) write(ctx context.Context, recorded map[string]bool) (map[int]bool, error) {
	stale := map[int]bool{}
	if len(u.events) == 0 && len(u.claims) == 0 && len(u.pendings) == 0 {
		u.answerRedeliveries(stale)
		return stale, nil
	}
	args, err := u.writeArgs()
	if err != nil {
		return nil, err
	}
	var rows []unitRow
	if u.tx != nil {
		err = u.tx.SelectContext(ctx, &rows, writeUnitSQL, args...)
	} else {
		err = u.prep.selectDB(ctx, &rows, writeUnitSQL, args...)
	}
	if err != nil {
		return nil, writeError(u.businessID, err)
	}
	appended := map[string]unitRow{}
	for _, r := range rows {
		switch r.Kind {
		case "s":
			stale[int(r.Write.Int64)] = true
		case "k":
			recorded[r.Key.String] = true
		case "e":
			appended[r.Key.String] = r
		}
	}
	stored, err := u.storedEvents(ctx, appended, stale)
	if err != nil {
		return nil, err
	}
	for j, e := range stored {
		if !stale[u.owner[j]] {
			r := &u.results[u.owner[j]]
			r.committed.Events = append(r.committed.Events, e)
		}
	}
	u.answerRedeliveries(stale)
	return stale, nil
}

// answerRedeliveries gives a message delivered twice in the batch its first delivery's
// result, as a redelivery: stale with it, failed with it, or its reply with nothing recorded.
func (u *unit) answerRedeliveries(stale map[int]bool) {
	for i, first := range u.dupOf {
		stale[i] = stale[first]
		u.results[i] = u.results[first]
		u.results[i].committed.Fresh = false
	}
}

// writeArgs lays the batch out as optin_write_unit's arguments.
func (u *unit) writeArgs() ([]any, error) {
	var w writeColumns
	for i, wr := range u.writes {
		w.index, w.phone = append(w.index, int64(i)), append(w.phone, wr.Phone)
		var cv, pv int64
		if s, ok := u.states[wr.Phone]; ok && wr.Phone != "" {
			cv, pv = s.consentVersion, s.pendingVersion
		}
		w.consentVersion, w.pendingVersion = append(w.consentVersion, cv), append(w.pendingVersion, pv)
	}
	var d disclosureColumns
	var e eventColumns
	for j := range u.events {
		ev := &u.events[j]
		if err := e.add(u.businessID, ev, int64(u.owner[j]), &d); err != nil {
			return nil, err
		}
		if u.guarded[j] {
			w.guardedKeys, w.guardedWrites = append(w.guardedKeys, ev.IdempotencyKey), append(w.guardedWrites, int64(u.owner[j]))
		}
	}
	var c claimColumns
	for _, cl := range u.claims {
		c.write, c.ref, c.phone = append(c.write, int64(cl.write)), append(c.ref, cl.ref), append(c.phone, cl.phone)
		c.channel, c.reply = append(c.channel, string(cl.channel)), append(c.reply, cl.reply)
	}
	var p pendingColumns
	for phone, change := range u.pendings {
		p.add(u.businessID, phone, change, &d)
	}
	return []any{ledgerLockClass, u.businessID, u.writer, u.othersSeq,
		pq.Array(w.index), pq.Array(w.phone), pq.Array(w.consentVersion), pq.Array(w.pendingVersion),
		pq.Array(w.guardedKeys), pq.Array(w.guardedWrites),
		pq.Array(d.channel), pq.Array(d.language), pq.Array(d.text), pq.Array(d.sha256),
		pq.Array(c.write), pq.Array(c.ref), pq.Array(c.phone), pq.Array(c.channel), pq.Array(c.reply),
		pq.Array(e.write), pq.Array(e.phone), pq.Array(e.category), pq.Array(e.action), pq.Array(e.channel), pq.Array(e.reason),
		pq.Array(e.input), pq.Array(e.ref), pq.Array(e.evidence), pq.Array(e.occurred), pq.Array(e.key), pq.Array(e.disclosure),
		pq.Array(p.clearWrite), pq.Array(p.clearPhone),
		pq.Array(p.write), pq.Array(p.phone), pq.Array(p.categories), pq.Array(p.disclosure), pq.Array(p.channel), pq.Array(p.expires),
	}, nil
}

// writeColumns are the batch's writes with the versions of their person's state.
type writeColumns struct {
	index, consentVersion, pendingVersion, guardedWrites []int64
	phone, guardedKeys                                   []string
}

// claimColumns are the batch's message claims.
type claimColumns struct {
	write                      []int64
	ref, phone, channel, reply []string
}

// eventColumns are the batch's events, in batch order.
type eventColumns struct {
	write, disclosure                                                             []int64
	phone, category, action, channel, reason, input, ref, evidence, occurred, key []string
}

func (c *eventColumns) add(businessID string, e *consent.Event, write int64, d *disclosureColumns) error {
	evidence := "{}"
	if len(e.Evidence) > 0 {
		b, err := json.Marshal(e.Evidence)
		if err != nil {
			return fmt.Errorf("encoding evidence of event %q: %w", e.IdempotencyKey, err)
		}
		evidence = string(b)
	}
	n := int64(0)
	if e.Disclosure != nil {
		*e.Disclosure = addressed(businessID, e.Channel, *e.Disclosure)
		n = d.index(*e.Disclosure)
	}
	c.write, c.disclosure = append(c.write, write), append(c.disclosure, n)
	c.phone, c.category, c.action = append(c.phone, e.Phone), append(c.category, e.Category), append(c.action, string(e.Action))
	c.channel, c.reason, c.input = append(c.channel, string(e.Channel)), append(c.reason, string(e.Reason)), append(c.input, e.Input)
	c.ref, c.evidence, c.key = append(c.ref, e.ProviderRef), append(c.evidence, evidence), append(c.key, e.IdempotencyKey)
	c.occurred = append(c.occurred, e.OccurredAt.UTC().Format(timeFormat))
	return nil
}

// pendingColumns are the pending disclosures the batch saves or clears.
type pendingColumns struct {
	clearWrite, write, disclosure                   []int64
	clearPhone, phone, categories, channel, expires []string
}

func (c *pendingColumns) add(businessID, phone string, change pendingChange, d *disclosureColumns) {
	p := change.pending
	if p == nil || len(p.Categories) == 0 {
		c.clearWrite, c.clearPhone = append(c.clearWrite, int64(change.write)), append(c.clearPhone, phone)
		return
	}
	ch := p.Channel
	if ch == "" {
		ch = change.channel
	}
	c.write, c.phone = append(c.write, int64(change.write)), append(c.phone, phone)
	c.categories, c.disclosure = append(c.categories, strings.Join(p.Categories, ",")), append(c.disclosure, d.index(addressed(businessID, ch, p.Disclosure)))
	c.channel, c.expires = append(c.channel, string(ch)), append(c.expires, p.ExpiresAt.UTC().Format(timeFormat))
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
