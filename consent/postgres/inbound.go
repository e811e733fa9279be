package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// CommitInbound commits everything one inbound message changed, exactly once per
// (business, ProviderRef), as one write of the business's batch: it claims the message,
// records in.Events, saves in.Pending when in.PendingChanged (nil clears it) and stores
// in.Reply, and returns in.Reply with fresh=true. A message claimed before changes nothing:
// the reply stored for it is returned with fresh=false. Live messages are decided inside the
// unit with Commit instead; this records an outcome decided beforehand.
func (s *Store) CommitInbound(ctx context.Context, in consent.Inbound) (reply string, fresh bool, err error) {
	if err := validateInbound(in); err != nil {
		return "", false, fmt.Errorf("committing inbound message: %w", err)
	}
	c, err := s.Commit(ctx, consent.Write{
		BusinessID: in.BusinessID, Phone: in.Phone,
		Message: &consent.MessageRef{ProviderRef: in.ProviderRef, Channel: in.Channel},
		Decide:  consent.Fixed(consent.Outcome{Events: in.Events, Reply: in.Reply, Pending: in.Pending, PendingChanged: in.PendingChanged}),
	})
	if err != nil {
		return "", false, fmt.Errorf("committing inbound message %s: %w", in.ProviderRef, err)
	}
	return c.Reply, c.Fresh, nil
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

// PriorReply returns the reply stored for a message already committed; found is false when
// the message was never handled.
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

// Pending returns the disclosure last sent to a phone that awaits a YES, or nil when none.
// An expired one is returned too: the caller decides with Pending.Active and its own clock.
func (s *Store) Pending(ctx context.Context, businessID, phone string) (*consent.Pending, error) {
	var rows []pendingRow
	if err := s.db.SelectContext(ctx, &rows, pendingOfSQL, businessID, phone); err != nil {
		return nil, fmt.Errorf("reading pending disclosure: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].pending(businessID), nil
}

// pendingRow is one row of pendingOfSQL.
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

// pendingOfSQL reads the disclosure awaiting a YES from one phone.
const pendingOfSQL = `
SELECT c.phone, c.categories, c.channel, c.expires_at, d.id, d.channel AS disclosure_channel, d.language, d.text, d.sha256
FROM conversations c
JOIN disclosures d ON d.business_id = c.business_id AND d.id = c.disclosure_id
WHERE c.business_id = $1 AND c.phone = $2`
