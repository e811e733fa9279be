package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// Webhooks is what the webhook endpoints of the API need: registering a business's
// receivers (checking their URLs and sealing their secrets) and reading their deliveries.
// cmd wires consent/webhooks' Registry here.
type Webhooks interface {
	Create(ctx context.Context, businessID, url string, events []string) (consent.WebhookEndpoint, string, error)
	List(ctx context.Context, businessID string) ([]consent.WebhookEndpoint, error)
	Remove(ctx context.Context, businessID string, id int64) error
	Deliveries(ctx context.Context, businessID string, id int64, limit int) ([]consent.WebhookDelivery, error)
}

type webhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// webhookJSON is an endpoint as the API shows it: never its secret, but when it was made
// and, once a receiver answered 410, when and why it was disabled.
type webhookJSON struct {
	ID             int64                   `json:"id"`
	URL            string                  `json:"url"`
	Events         []consent.WebhookStream `json:"events"`
	CreatedAt      time.Time               `json:"created_at"`
	DisabledAt     *time.Time              `json:"disabled_at"`
	DisabledReason string                  `json:"disabled_reason,omitempty"`
}

// createdWebhookJSON is the answer of a registration, the only one that shows the secret.
type createdWebhookJSON struct {
	ID        int64                   `json:"id"`
	URL       string                  `json:"url"`
	Events    []consent.WebhookStream `json:"events"`
	Secret    string                  `json:"secret"`
	CreatedAt time.Time               `json:"created_at"`
}

type webhooksBody struct {
	Data []webhookJSON `json:"data"`
}

type deliveryJSON struct {
	ID             int64                  `json:"id"`
	Type           consent.WebhookStream  `json:"type"`
	EventID        int64                  `json:"event_id"`
	Status         consent.DeliveryStatus `json:"status"`
	Attempts       int                    `json:"attempts"`
	LastStatusCode *int                   `json:"last_status_code"`
	NextAttemptAt  *time.Time             `json:"next_attempt_at"`
}

type deliveriesBody struct {
	Data []deliveryJSON `json:"data"`
}

// createWebhook answers POST /v1/webhooks: 201 with the endpoint and its secret, shown once;
// 400 naming what is wrong with the URL or the events.
func (h *Handler) createWebhook(c *gin.Context) {
	var req webhookRequest
	if !h.decodeBody(c, &req) {
		return
	}
	w, secret, err := h.opts.Webhooks.Create(c.Request.Context(), businessOf(c).ID, req.URL, req.Events)
	if we, ok := errors.AsType[consent.WebhookError](err); ok {
		badRequest(c, codeBadRequest, we.Error())
		return
	}
	if errors.Is(err, consent.ErrNoWebhookKey) {
		abortError(c, http.StatusServiceUnavailable, codeUnavailable,
			"webhooks are not configured on this server: it needs WEBHOOK_SECRET_KEY to keep their secrets")
		return
	}
	if err != nil {
		h.internalError(c, err)
		return
	}
	c.JSON(http.StatusCreated, createdWebhookJSON{ID: w.ID, URL: w.URL, Events: w.Streams, Secret: secret, CreatedAt: w.CreatedAt})
}

// listWebhooks answers GET /v1/webhooks: the business's endpoints, oldest first.
func (h *Handler) listWebhooks(c *gin.Context) {
	ws, err := h.opts.Webhooks.List(c.Request.Context(), businessOf(c).ID)
	if err != nil {
		h.internalError(c, err)
		return
	}
	body := webhooksBody{Data: make([]webhookJSON, len(ws))}
	for i, w := range ws {
		body.Data[i] = webhookJSON{ID: w.ID, URL: w.URL, Events: w.Streams, CreatedAt: w.CreatedAt,
			DisabledAt: w.DisabledAt, DisabledReason: w.DisabledReason}
	}
	c.JSON(http.StatusOK, body)
}

// removeWebhook answers DELETE /v1/webhooks/{id}: 204, and nothing more is sent to it.
func (h *Handler) removeWebhook(c *gin.Context) {
	id, ok := webhookID(c)
	if !ok {
		return
	}
	err := h.opts.Webhooks.Remove(c.Request.Context(), businessOf(c).ID, id)
	if errors.Is(err, consent.ErrNotFound) {
		noWebhook(c, id)
		return
	}
	if err != nil {
		h.internalError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// webhookDeliveries answers GET /v1/webhooks/{id}/deliveries: the newest deliveries first.
func (h *Handler) webhookDeliveries(c *gin.Context) {
	id, ok := webhookID(c)
	if !ok {
		return
	}
	limit, ok := queryLimit(c)
	if !ok {
		return
	}
	ds, err := h.opts.Webhooks.Deliveries(c.Request.Context(), businessOf(c).ID, id, limit)
	if errors.Is(err, consent.ErrNotFound) {
		noWebhook(c, id)
		return
	}
	if err != nil {
		h.internalError(c, err)
		return
	}
	body := deliveriesBody{Data: make([]deliveryJSON, len(ds))}
	for i, d := range ds {
		body.Data[i] = deliveryJSON{ID: d.ID, Type: d.Stream, EventID: d.EventID, Status: d.Status, Attempts: d.Attempts,
			NextAttemptAt: d.NextAttemptAt}
		if d.LastStatusCode != 0 {
			body.Data[i].LastStatusCode = &d.LastStatusCode
		}
	}
	c.JSON(http.StatusOK, body)
}

// webhookID reads the endpoint id of the path, answering 400 unless it is a positive number.
func webhookID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		badRequest(c, codeBadRequest, fmt.Sprintf("webhook id %q must be a positive number, as GET /v1/webhooks lists them", c.Param("id")))
		return 0, false
	}
	return id, true
}

// noWebhook answers 404 for an endpoint the business does not have.
func noWebhook(c *gin.Context, id int64) {
	abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("no webhook %d (GET /v1/webhooks lists them)", id))
}
