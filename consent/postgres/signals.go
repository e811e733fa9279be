package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/optin/optin/consent"
)

// recordSignalSQL appends a signal unless its message gave one already. It runs under the
// business's ledger lock, so signal ids, like event ids, follow commit order.
const recordSignalSQL = `
INSERT INTO signals (business_id, phone, kind, channel, sender, error_code, provider_ref, evidence, occurred_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT ON CONSTRAINT signals_business_id_provider_ref_key DO NOTHING
RETURNING id, occurred_at`

const signalByRefSQL = `
SELECT id, phone, kind, channel, sender, error_code, provider_ref, evidence, occurred_at
FROM signals WHERE business_id = $1 AND provider_ref = $2`

// RecordSignal appends a platform signal, once per provider reference (MessageSid): a
// callback delivered again returns the signal stored first, with fresh false. Its time is the
// store's clock.
func (s *Store) RecordSignal(ctx context.Context, sig consent.Signal) (_ consent.Signal, fresh bool, err error) {
	if err := validateSignal(sig); err != nil {
		return consent.Signal{}, false, err
	}
	if sig.Evidence == nil {
		sig.Evidence = map[string]any{}
	}
	evidence, err := json.Marshal(sig.Evidence)
	if err != nil {
		return consent.Signal{}, false, fmt.Errorf("recording a signal: evidence: %w: %v", consent.ErrInvalid, err)
	}
	sig.OccurredAt = s.clock().UTC()
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, ledgerLockClass, sig.BusinessID); err != nil {
			return err
		}
		err := tx.QueryRowxContext(ctx, recordSignalSQL, sig.BusinessID, sig.Phone, sig.Kind, sig.Channel, sig.Sender,
			sig.ErrorCode, sig.ProviderRef, evidence, sig.OccurredAt).Scan(&sig.ID, &sig.OccurredAt)
		if errors.Is(err, sql.ErrNoRows) {
			stored, err := scanSignals(tx.QueryxContext(ctx, signalByRefSQL, sig.BusinessID, sig.ProviderRef))
			if err != nil || len(stored) != 1 {
				return fmt.Errorf("reading the signal stored first: %v", err)
			}
			stored[0].BusinessID = sig.BusinessID
			sig = stored[0]
			return nil
		}
		fresh = err == nil
		return err
	})
	if err != nil {
		return consent.Signal{}, false, fmt.Errorf("recording a signal for %s: %w", sig.BusinessID, err)
	}
	return sig, fresh, nil
}

// SignalOf returns the signal a message gave, or consent.ErrNotFound.
func (s *Store) SignalOf(ctx context.Context, businessID, providerRef string) (consent.Signal, error) {
	out, err := scanSignals(s.db.QueryxContext(ctx, signalByRefSQL, businessID, providerRef))
	switch {
	case err != nil:
		return consent.Signal{}, fmt.Errorf("reading the signal of %s: %w", providerRef, err)
	case len(out) == 0:
		return consent.Signal{}, fmt.Errorf("signal of %s: %w", providerRef, consent.ErrNotFound)
	}
	out[0].BusinessID = businessID
	return out[0], nil
}

const signalsAfterSQL = `
SELECT id, phone, kind, channel, sender, error_code, provider_ref, evidence, occurred_at
FROM signals WHERE business_id = $1 AND id > $2 ORDER BY id LIMIT $3`

// SignalsAfter returns up to limit signals of a business with ids above after, in id order.
func (s *Store) SignalsAfter(ctx context.Context, businessID string, after int64, limit int) ([]consent.Signal, error) {
	out, err := scanSignals(s.db.QueryxContext(ctx, signalsAfterSQL, businessID, after, limit))
	if err != nil {
		return nil, fmt.Errorf("reading signals after %d: %w", after, err)
	}
	for i := range out {
		out[i].BusinessID = businessID
	}
	return out, nil
}

// scanSignals reads signal rows.
func scanSignals(rows *sqlx.Rows, err error) ([]consent.Signal, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []consent.Signal
	for rows.Next() {
		var sg consent.Signal
		var evidence []byte
		var at time.Time
		if err := rows.Scan(&sg.ID, &sg.Phone, &sg.Kind, &sg.Channel, &sg.Sender, &sg.ErrorCode, &sg.ProviderRef, &evidence, &at); err != nil {
			return nil, err
		}
		sg.OccurredAt = at.UTC()
		if err := json.Unmarshal(evidence, &sg.Evidence); err != nil {
			return nil, fmt.Errorf("signal %d evidence: %w", sg.ID, err)
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// validateSignal refuses a signal the table must never hold, with consent.ErrInvalid.
func validateSignal(sg consent.Signal) error {
	var problem string
	switch {
	case sg.BusinessID == "":
		problem = "no business"
	case !e164Re.MatchString(sg.Phone):
		problem = fmt.Sprintf("phone %q is not E.164", sg.Phone)
	case sg.Kind != consent.SignalPlatformStop && sg.Kind != consent.SignalDeliveryLimited && sg.Kind != consent.SignalUndeliverable:
		problem = fmt.Sprintf("unknown kind %q", sg.Kind)
	case sg.Channel != consent.ChannelSMS && sg.Channel != consent.ChannelWhatsApp:
		problem = fmt.Sprintf("channel %q is neither sms nor whatsapp", sg.Channel)
	case sg.ProviderRef == "":
		problem = "no provider reference"
	case !consent.StorableText(sg.ProviderRef) || !consent.StorableText(sg.Sender) || !consent.StorableText(sg.ErrorCode) ||
		unstorableEvidence(sg.Evidence):
		problem = "text with a NUL character or invalid UTF-8"
	}
	if problem != "" {
		return fmt.Errorf("signal %q: %s: %w", sg.ProviderRef, problem, consent.ErrInvalid)
	}
	return nil
}
