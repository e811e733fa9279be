package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// signalJSON is a Signal as the API shows it.
type signalJSON struct {
	ID          int64              `json:"id"`
	Phone       string             `json:"phone"`
	Kind        consent.SignalKind `json:"kind"`
	Sender      string             `json:"sender"`
	ErrorCode   string             `json:"error_code"`
	ProviderRef string             `json:"provider_ref"`
	OccurredAt  time.Time          `json:"occurred_at"`
}

type signalPageBody struct {
	Data      []signalJSON `json:"data"`
	NextAfter int64        `json:"next_after"`
}

// signals answers GET /v1/signals: the platform signals in id order after ?after=, followed
// like /v1/events. next_after is the id to ask after next time; it stays put when nothing is
// new.
func (h *Handler) signals(c *gin.Context) {
	after, limit, ok := feedPage(c)
	if !ok {
		return
	}
	ss, err := h.store.SignalsAfter(c.Request.Context(), businessOf(c).ID, after, limit)
	if err != nil {
		h.internalError(c, err)
		return
	}
	body := signalPageBody{Data: make([]signalJSON, len(ss)), NextAfter: after}
	for i, s := range ss {
		body.Data[i] = signalJSON{ID: s.ID, Phone: s.Phone, Kind: s.Kind, Sender: s.Sender, ErrorCode: s.ErrorCode,
			ProviderRef: s.ProviderRef, OccurredAt: s.OccurredAt.UTC()}
		body.NextAfter = s.ID
	}
	c.JSON(http.StatusOK, body)
}
