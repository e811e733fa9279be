package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/optin/optin/consent"
)

// The dispatcher's side of the webhook tables. An endpoint is worked by one dispatcher at a
// time, the holder of its lease: the lease is taken by claimWebhooksSQL, renewed by every
// write of the holder, and every write checks the holder's token, so a dispatcher whose lease
// ran out (it hung, another took over) changes nothing.

// claimWebhooksSQL leases up to $2 active endpoints that have work: a pending delivery that
// is due, or, in a stream without a delivery under way, an event above the stream's cursor.
// It is the dispatcher's one query per poll; SKIP LOCKED lets replicas claim side by side,
// and a row another claim just leased no longer passes the lease_until test when re-read.
const claimWebhooksSQL = `
WITH due AS (
	SELECT w.business_id, w.id FROM webhook_endpoints w
	WHERE w.disabled_at IS NULL
		AND (w.lease_until IS NULL OR w.lease_until < now())
		AND (EXISTS (SELECT 1 FROM webhook_deliveries d
				WHERE d.business_id = w.business_id AND d.endpoint_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= now())
			OR ('consent.changed' = ANY (w.events)
				AND EXISTS (SELECT 1 FROM consent_events e WHERE e.business_id = w.business_id AND e.id > w.consent_cursor)
				AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.business_id = w.business_id AND d.endpoint_id = w.id
					AND d.stream = 'consent.changed' AND d.status = 'pending'))
			OR ('signal.recorded' = ANY (w.events)
				AND EXISTS (SELECT 1 FROM signals s WHERE s.business_id = w.business_id AND s.id > w.signal_cursor)
				AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.business_id = w.business_id AND d.endpoint_id = w.id
					AND d.stream = 'signal.recorded' AND d.status = 'pending')))
	ORDER BY w.lease_until NULLS FIRST, w.id
	LIMIT $2
	FOR UPDATE OF w SKIP LOCKED)
UPDATE webhook_endpoints w SET lease_token = $1, lease_until = now() + make_interval(secs => $3)
FROM due WHERE w.business_id = due.business_id AND w.id = due.id
RETURNING w.business_id, w.id, w.url, w.events, w.secret_sealed, w.created_at, w.disabled_at, w.disabled_reason`

// ClaimWebhookEndpoints leases up to limit endpoints with work to the dispatcher that names
// itself token, for lease; it returns them.
func (s *Store) ClaimWebhookEndpoints(ctx context.Context, token string, lease time.Duration, limit int) ([]consent.WebhookEndpoint, error) {
	var rows []webhookEndpointRow
	if err := s.db.SelectContext(ctx, &rows, claimWebhooksSQL, token, limit, lease.Seconds()); err != nil {
		return nil, fmt.Errorf("claiming webhooks: %w", err)
	}
	out := make([]consent.WebhookEndpoint, len(rows))
	for i, r := range rows {
		out[i] = r.endpoint()
	}
	return out, nil
}

// renewWebhookLeaseSQL extends a lease its holder still has on an active endpoint.
const renewWebhookLeaseSQL = `
UPDATE webhook_endpoints SET lease_until = now() + make_interval(secs => $4)
WHERE business_id = $1 AND id = $2 AND lease_token = $3 AND disabled_at IS NULL`

// pendingWebhookSQL reads the delivery under way in one stream of an endpoint, if any.
const pendingWebhookSQL = `
SELECT ` + webhookDeliveryColumns + `, next_attempt_at <= now() AS due FROM webhook_deliveries
WHERE business_id = $1 AND endpoint_id = $2 AND stream = $3 AND status = 'pending'`

// NextWebhookDelivery renews the lease and returns the delivery to attempt next in one stream
// of the endpoint: the one under way when it is due, else a new one for the next event above
// the stream's cursor, taken now. ok is false when there is nothing to attempt yet: the
// delivery under way waits for its next attempt, or no event is new. A lease that ended fails
// with consent.ErrLeaseLost.
func (s *Store) NextWebhookDelivery(ctx context.Context, l consent.WebhookLease, lease time.Duration, stream consent.WebhookStream) (
	d consent.WebhookDelivery, ok bool, err error) {
	res, err := s.db.ExecContext(ctx, renewWebhookLeaseSQL, l.BusinessID, l.EndpointID, l.Token, lease.Seconds())
	if err != nil {
		return d, false, fmt.Errorf("renewing the lease on webhook %d: %w", l.EndpointID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return d, false, fmt.Errorf("webhook %d: %w", l.EndpointID, consent.ErrLeaseLost)
	}
	var rows []webhookDeliveryRow
	if err := s.db.SelectContext(ctx, &rows, pendingWebhookSQL, l.BusinessID, l.EndpointID, stream); err != nil {
		return d, false, fmt.Errorf("reading the delivery under way to webhook %d: %w", l.EndpointID, err)
	}
	if len(rows) == 0 {
		if rows, err = s.takeWebhookEvent(ctx, l, stream); err != nil {
			return d, false, err
		}
	}
	if len(rows) == 0 || !rows[0].Due.Bool {
		return d, false, nil
	}
	d = rows[0].delivery()
	if err := s.loadWebhookPayload(ctx, &d); err != nil {
		return d, false, err
	}
	return d, true, nil
}

// takeWebhookSQL takes the next event of a stream for an endpoint whose lease the caller
// holds: it moves the stream's cursor onto the event and creates its delivery, due now.
var takeWebhookSQL = map[consent.WebhookStream]string{
	consent.StreamConsentChanged: takeWebhookSQLOf("consent_events", "consent_cursor"),
	consent.StreamSignalRecorded: takeWebhookSQLOf("signals", "signal_cursor"),
}

func takeWebhookSQLOf(table, cursor string) string {
	return `
WITH next AS (
	SELECT e.id, e.recorded_at FROM webhook_endpoints w
	JOIN ` + table + ` e ON e.business_id = w.business_id AND e.id > w.` + cursor + `
	WHERE w.business_id = $1 AND w.id = $2 AND w.lease_token = $3
	ORDER BY e.id LIMIT 1),
moved AS (
	UPDATE webhook_endpoints w SET ` + cursor + ` = next.id FROM next
	WHERE w.business_id = $1 AND w.id = $2 AND w.lease_token = $3
	RETURNING next.id, next.recorded_at)
INSERT INTO webhook_deliveries (business_id, endpoint_id, stream, event_id, event_recorded_at, next_attempt_at)
SELECT $1, $2, $4, id, recorded_at, now() FROM moved
RETURNING ` + webhookDeliveryColumns + `, true AS due`
}

func (s *Store) takeWebhookEvent(ctx context.Context, l consent.WebhookLease, stream consent.WebhookStream) ([]webhookDeliveryRow, error) {
	query, known := takeWebhookSQL[stream]
	if !known {
		return nil, fmt.Errorf("taking an event for webhook %d: stream %q: %w", l.EndpointID, stream, consent.ErrInvalid)
	}
	var rows []webhookDeliveryRow
	if err := s.db.SelectContext(ctx, &rows, query, l.BusinessID, l.EndpointID, l.Token, stream); err != nil {
		return nil, fmt.Errorf("taking an event for webhook %d: %w", l.EndpointID, err)
	}
	return rows, nil
}

const webhookEventSQL = selectEventsSQL + `
WHERE e.business_id = $1 AND e.id = $2`

const webhookSignalSQL = `
SELECT id, phone, kind, channel, sender, error_code, provider_ref, evidence, occurred_at
FROM signals WHERE business_id = $1 AND id = $2`

// loadWebhookPayload reads the event or signal a delivery carries.
func (s *Store) loadWebhookPayload(ctx context.Context, d *consent.WebhookDelivery) error {
	switch d.Stream {
	case consent.StreamConsentChanged:
		var row eventRow
		if err := s.db.GetContext(ctx, &row, webhookEventSQL, d.BusinessID, d.EventID); err != nil {
			return fmt.Errorf("reading event %d for delivery %d: %w", d.EventID, d.ID, err)
		}
		e, err := row.event()
		if err != nil {
			return err
		}
		d.Event = &e
	case consent.StreamSignalRecorded:
		sigs, err := scanSignals(s.db.QueryxContext(ctx, webhookSignalSQL, d.BusinessID, d.EventID))
		if err != nil || len(sigs) != 1 {
			return fmt.Errorf("reading signal %d for delivery %d: %v", d.EventID, d.ID, err)
		}
		sigs[0].BusinessID = d.BusinessID
		d.Signal = &sigs[0]
	}
	return nil
}

// recordWebhookAttemptSQL records one attempt of a pending delivery for the lease holder,
// renewing the lease: delivered on a 2xx; failed on a 410 (which disables the endpoint) or
// once the delivery was taken longer ago than the retry window; else pending again, due
// after the backoff. It returns the delivery's status.
const recordWebhookAttemptSQL = `
WITH lease AS (
	UPDATE webhook_endpoints SET lease_until = now() + make_interval(secs => $4),
		disabled_at = CASE WHEN $7 THEN now() ELSE disabled_at END,
		disabled_reason = CASE WHEN $7 THEN $12 ELSE disabled_reason END
	WHERE business_id = $1 AND id = $2 AND lease_token = $3
	RETURNING id),
outcome AS (
	SELECT d.id, CASE WHEN $6 THEN 'delivered'
		WHEN $7 OR d.created_at <= now() - make_interval(secs => $9) THEN 'failed'
		ELSE 'pending' END AS status
	FROM webhook_deliveries d JOIN lease ON d.endpoint_id = lease.id
	WHERE d.business_id = $1 AND d.id = $5 AND d.status = 'pending')
UPDATE webhook_deliveries d SET attempts = d.attempts + 1, status = o.status,
	last_status_code = NULLIF(CAST($10 AS int), 0), last_error = $11,
	next_attempt_at = CASE WHEN o.status = 'pending' THEN now() + make_interval(secs => $8) END,
	finished_at = CASE WHEN o.status <> 'pending' THEN now() END
FROM outcome o WHERE d.business_id = $1 AND d.id = o.id
RETURNING d.status`

// RecordWebhookAttempt records the outcome of one attempt of delivery id and returns the
// delivery's status after it. A lease that ended fails with consent.ErrLeaseLost.
func (s *Store) RecordWebhookAttempt(ctx context.Context, l consent.WebhookLease, lease time.Duration, id int64, a consent.WebhookAttempt) (consent.DeliveryStatus, error) {
	var status []string
	reason := ""
	if a.Gone {
		reason = fmt.Sprintf("the receiver answered %d Gone", a.StatusCode)
	}
	err := s.db.SelectContext(ctx, &status, recordWebhookAttemptSQL, l.BusinessID, l.EndpointID, l.Token, lease.Seconds(),
		id, a.Delivered, a.Gone, a.RetryIn.Seconds(), a.GiveUpAfter.Seconds(), a.StatusCode, a.Error, reason)
	if err != nil {
		return "", fmt.Errorf("recording an attempt of delivery %d: %w", id, err)
	}
	if len(status) == 0 {
		return "", fmt.Errorf("recording an attempt of delivery %d: %w", id, consent.ErrLeaseLost)
	}
	return consent.DeliveryStatus(status[0]), nil
}

const releaseWebhookSQL = `
UPDATE webhook_endpoints SET lease_token = NULL, lease_until = NULL
WHERE business_id = $1 AND id = $2 AND lease_token = $3`

// ReleaseWebhookEndpoint ends a lease its holder no longer needs, so any dispatcher may claim
// the endpoint at its next poll.
func (s *Store) ReleaseWebhookEndpoint(ctx context.Context, l consent.WebhookLease) error {
	if _, err := s.db.ExecContext(ctx, releaseWebhookSQL, l.BusinessID, l.EndpointID, l.Token); err != nil {
		return fmt.Errorf("releasing webhook %d: %w", l.EndpointID, err)
	}
	return nil
}
