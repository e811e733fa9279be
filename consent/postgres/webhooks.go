package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent"
)

// webhookEndpointColumns are the columns of webhookEndpointRow.
const webhookEndpointColumns = `business_id, id, url, events, secret_sealed, created_at, disabled_at, disabled_reason`

type webhookEndpointRow struct {
	BusinessID     string         `db:"business_id"`
	ID             int64          `db:"id"`
	URL            string         `db:"url"`
	Events         pq.StringArray `db:"events"`
	SecretSealed   []byte         `db:"secret_sealed"`
	CreatedAt      time.Time      `db:"created_at"`
	DisabledAt     *time.Time     `db:"disabled_at"`
	DisabledReason string         `db:"disabled_reason"`
}

func (r webhookEndpointRow) endpoint() consent.WebhookEndpoint {
	w := consent.WebhookEndpoint{ID: r.ID, BusinessID: r.BusinessID, URL: r.URL, SealedSecret: r.SecretSealed,
		CreatedAt: r.CreatedAt.UTC(), DisabledAt: utcPtr(r.DisabledAt), DisabledReason: r.DisabledReason}
	for _, e := range r.Events {
		w.Streams = append(w.Streams, consent.WebhookStream(e))
	}
	return w
}

func streamNames(ss []consent.WebhookStream) pq.StringArray {
	out := make(pq.StringArray, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// createWebhookSQL registers an endpoint whose cursors start at the newest event and signal
// of its business, so it receives what happens from then on. Ids of a business grow in
// commit order, so an event still committing gets an id above the cursor and is delivered.
const createWebhookSQL = `
INSERT INTO webhook_endpoints (business_id, url, events, secret_sealed, consent_cursor, signal_cursor)
VALUES ($1, $2, $3, $4,
	COALESCE((SELECT max(id) FROM consent_events WHERE business_id = $1), 0),
	COALESCE((SELECT max(id) FROM signals WHERE business_id = $1), 0))
RETURNING ` + webhookEndpointColumns

// CreateWebhookEndpoint registers w (business, URL, streams, sealed secret) and returns it
// with its id. An unknown business fails with consent.ErrNotFound.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, w consent.WebhookEndpoint) (consent.WebhookEndpoint, error) {
	var row webhookEndpointRow
	err := s.db.GetContext(ctx, &row, createWebhookSQL, w.BusinessID, w.URL, streamNames(w.Streams), w.SealedSecret)
	switch {
	case pqCode(err) == pqerror.ForeignKeyViolation:
		return w, fmt.Errorf("creating a webhook: business %s: %w", w.BusinessID, consent.ErrNotFound)
	case pqCode(err) == pqerror.CheckViolation:
		return w, fmt.Errorf("creating a webhook: %w: %v", consent.ErrInvalid, err)
	case err != nil:
		return w, fmt.Errorf("creating a webhook: %w", err)
	}
	return row.endpoint(), nil
}

const webhookEndpointsSQL = `
SELECT ` + webhookEndpointColumns + ` FROM webhook_endpoints WHERE business_id = $1 ORDER BY id`

// WebhookEndpoints lists a business's endpoints, oldest first, disabled ones included.
func (s *Store) WebhookEndpoints(ctx context.Context, businessID string) ([]consent.WebhookEndpoint, error) {
	var rows []webhookEndpointRow
	if err := s.db.SelectContext(ctx, &rows, webhookEndpointsSQL, businessID); err != nil {
		return nil, fmt.Errorf("listing webhooks of %s: %w", businessID, err)
	}
	out := make([]consent.WebhookEndpoint, len(rows))
	for i, r := range rows {
		out[i] = r.endpoint()
	}
	return out, nil
}

const deleteWebhookSQL = `DELETE FROM webhook_endpoints WHERE business_id = $1 AND id = $2`

// DeleteWebhookEndpoint removes an endpoint and its deliveries; a delivery under way ends with
// it. An id the business does not have fails with consent.ErrNotFound.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, businessID string, id int64) error {
	res, err := s.db.ExecContext(ctx, deleteWebhookSQL, businessID, id)
	if err != nil {
		return fmt.Errorf("removing webhook %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("removing webhook %d: %w", id, consent.ErrNotFound)
	}
	return nil
}

type webhookDeliveryRow struct {
	BusinessID     string        `db:"business_id"`
	ID             int64         `db:"id"`
	EndpointID     int64         `db:"endpoint_id"`
	Stream         string        `db:"stream"`
	EventID        int64         `db:"event_id"`
	Status         string        `db:"status"`
	Attempts       int           `db:"attempts"`
	LastStatusCode sql.NullInt64 `db:"last_status_code"`
	LastError      string        `db:"last_error"`
	NextAttemptAt  *time.Time    `db:"next_attempt_at"`
	CreatedAt      time.Time     `db:"created_at"`
	Due            sql.NullBool  `db:"due"` // for the dispatcher: whether a pending delivery is due
}

func (r webhookDeliveryRow) delivery() consent.WebhookDelivery {
	return consent.WebhookDelivery{ID: r.ID, BusinessID: r.BusinessID, EndpointID: r.EndpointID,
		Stream: consent.WebhookStream(r.Stream), EventID: r.EventID, Status: consent.DeliveryStatus(r.Status),
		Attempts: r.Attempts, LastStatusCode: int(r.LastStatusCode.Int64), LastError: r.LastError,
		NextAttemptAt: utcPtr(r.NextAttemptAt), CreatedAt: r.CreatedAt.UTC()}
}

// webhookDeliveryColumns are the columns of webhookDeliveryRow but due.
const webhookDeliveryColumns = `business_id, id, endpoint_id, stream, event_id, status, attempts, last_status_code,
	last_error, next_attempt_at, created_at`

// webhookDeliveriesSQL lists an endpoint's deliveries, newest first; the endpoint is read
// too, so an unknown one is told apart from one without deliveries.
const webhookDeliveriesSQL = `
SELECT ` + webhookDeliveryColumns + `, NULL AS due FROM webhook_deliveries
WHERE business_id = $1 AND endpoint_id = $2
ORDER BY id DESC LIMIT $3`

const webhookExistsSQL = `SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE business_id = $1 AND id = $2)`

// WebhookDeliveries returns up to limit deliveries of an endpoint, newest first. An id the
// business does not have fails with consent.ErrNotFound.
func (s *Store) WebhookDeliveries(ctx context.Context, businessID string, endpointID int64, limit int) ([]consent.WebhookDelivery, error) {
	var exists bool
	if err := s.db.GetContext(ctx, &exists, webhookExistsSQL, businessID, endpointID); err != nil {
		return nil, fmt.Errorf("reading deliveries of webhook %d: %w", endpointID, err)
	}
	if !exists {
		return nil, fmt.Errorf("reading deliveries of webhook %d: %w", endpointID, consent.ErrNotFound)
	}
	var rows []webhookDeliveryRow
	if err := s.db.SelectContext(ctx, &rows, webhookDeliveriesSQL, businessID, endpointID, limit); err != nil {
		return nil, fmt.Errorf("reading deliveries of webhook %d: %w", endpointID, err)
	}
	out := make([]consent.WebhookDelivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, nil
}
