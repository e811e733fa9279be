package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent/wire"
)

type signalPageBody struct {
	Data      []wire.Signal `json:"data"`
	NextAfter int64         `json:"next_after"`
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
	body := signalPageBody{Data: make([]wire.Signal, len(ss)), NextAfter: after}
	for i, s := range ss {
		body.Data[i] = wire.SignalOf(s)
		body.NextAfter = s.ID
	}
	c.JSON(http.StatusOK, body)
}
