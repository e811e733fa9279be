package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// claimInboundSQL claims one inbound message with the reply it gets, unless it was claimed.
const claimInboundSQL = `
INSERT INTO inbound_messages (business_id, provider_ref, phone, channel, reply) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (business_id, provider_ref) DO NOTHING`

// CommitInbound commits everything one inbound message changed, exactly once per
// (business, ProviderRef): it claims the message, records in.Events, saves in.Pending when
// in.PendingChanged (nil clears it) and stores in.Reply, in one transaction, and returns
// in.Reply with fresh=true. A message claimed before changes nothing: the reply stored for
// it is returned with fresh=false.
func (s *Store) CommitInbound(ctx context.Context, in consent.Inbound) (reply string, fresh bool, err error) {
	if err := validateInbound(in); err != nil {
		return "", false, fmt.Errorf("committing inbound message: %w", err)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, claimInboundSQL, in.BusinessID, in.ProviderRef, in.Phone, string(in.Channel), in.Reply)
		if err != nil {
			return fmt.Errorf("claiming message: %w", err)
		}
		if fresh, err = affected(res); err != nil || !fresh {
			return err
		}
		if in.PendingChanged {
			if err := savePending(ctx, tx, in.BusinessID, in.Phone, in.Channel, in.Pending); err != nil {
				return err
			}
		}
		// Events last: record takes the business's ledger lock, held until commit.
		_, err = record(ctx, tx, in.Events)
		return err
	})
	if err != nil {
		return "", false, fmt.Errorf("committing inbound message %s: %w", in.ProviderRef, err)
	}
	if fresh {
		return in.Reply, true, nil
	}
	reply, _, err = s.PriorReply(ctx, in.BusinessID, in.ProviderRef)
	return reply, false, err
}

func validateInbound(in consent.Inbound) error {
	switch {
	case in.BusinessID == "" || in.ProviderRef == "":
		return fmt.Errorf("message without business or provider reference: %w", consent.ErrInvalid)
	case in.Channel != consent.ChannelSMS && in.Channel != consent.ChannelWhatsApp:
		return fmt.Errorf("message on channel %q: %w", in.Channel, consent.ErrInvalid)
	case in.PendingChanged && in.Pending != nil && len(in.Pending.Categories) > 0 && in.Pending.Disclosure.Text == "":
		return fmt.Errorf("pending disclosure without text: %w", consent.ErrInvalid)
	}
	for _, e := range in.Events {
		if err := validateEvent(e); err != nil {
			return err
		}
	}
	return nil
}

// priorReplySQL reads the reply stored for a message already handled.
const priorReplySQL = `SELECT reply FROM inbound_messages WHERE business_id = $1 AND provider_ref = $2`

// PriorReply returns the reply stored for a message already committed by CommitInbound;
// found is false when the message was never handled.
func (s *Store) PriorReply(ctx context.Context, businessID, providerRef string) (reply string, found bool, err error) {
	err = s.db.GetContext(ctx, &reply, priorReplySQL, businessID, providerRef)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading prior reply to %s: %w", providerRef, err)
	}
	return reply, true, nil
}

// clearPendingSQL forgets the disclosure awaiting a YES from a phone.
const clearPendingSQL = `DELETE FROM conversations WHERE business_id = $1 AND phone = $2`

// savePendingSQL remembers the disclosure awaiting a YES from a phone, replacing any other.
const savePendingSQL = `
INSERT INTO conversations (business_id, phone, categories, disclosure_id, channel, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (business_id, phone) DO UPDATE SET
	categories = EXCLUDED.categories, disclosure_id = EXCLUDED.disclosure_id, channel = EXCLUDED.channel,
	expires_at = EXCLUDED.expires_at, updated_at = now()`

// savePending stores p as the phone's pending disclosure; nil or no categories clears it.
// A pending disclosure without a channel takes ch, the channel of the message.
func savePending(ctx context.Context, tx *sqlx.Tx, businessID, phone string, ch consent.Channel, p *consent.Pending) error {
	if p == nil || len(p.Categories) == 0 {
		if _, err := tx.ExecContext(ctx, clearPendingSQL, businessID, phone); err != nil {
			return fmt.Errorf("clearing pending disclosure: %w", err)
		}
		return nil
	}
	if p.Channel != "" {
		ch = p.Channel
	}
	d, err := upsertDisclosure(ctx, tx, businessID, ch, p.Disclosure)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, savePendingSQL, businessID, phone, pq.Array(p.Categories), d.ID, string(ch), p.ExpiresAt)
	if err != nil {
		return fmt.Errorf("saving pending disclosure: %w", err)
	}
	return nil
}

// pendingSQL reads the disclosure awaiting a YES from a phone.
const pendingSQL = `
SELECT c.categories, c.channel, c.expires_at, d.id, d.channel AS disclosure_channel, d.language, d.text, d.sha256
FROM conversations c
JOIN disclosures d ON d.business_id = c.business_id AND d.id = c.disclosure_id
WHERE c.business_id = $1 AND c.phone = $2`

// Pending returns the disclosure last sent to a phone that awaits a YES, or nil when none.
// An expired one is returned too: the caller decides with Pending.Active and its own clock.
func (s *Store) Pending(ctx context.Context, businessID, phone string) (*consent.Pending, error) {
	var row struct {
		Categories        pq.StringArray `db:"categories"`
		Channel           string         `db:"channel"`
		ExpiresAt         time.Time      `db:"expires_at"`
		DisclosureID      int64          `db:"id"`
		DisclosureChannel string         `db:"disclosure_channel"`
		Language          string         `db:"language"`
		Text              string         `db:"text"`
		SHA256            string         `db:"sha256"`
	}
	err := s.db.GetContext(ctx, &row, pendingSQL, businessID, phone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading pending disclosure: %w", err)
	}
	return &consent.Pending{
		Categories: row.Categories,
		Channel:    consent.Channel(row.Channel),
		ExpiresAt:  row.ExpiresAt.UTC(),
		Disclosure: consent.Disclosure{ID: row.DisclosureID, BusinessID: businessID, Channel: consent.Channel(row.DisclosureChannel),
			Language: row.Language, Text: row.Text, SHA256: row.SHA256},
	}, nil
}
