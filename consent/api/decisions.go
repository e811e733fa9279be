package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// maxDecisionPhones bounds the phones of one POST /v1/decisions.
const maxDecisionPhones = 1000

type decisionsRequest struct {
	Channel  string   `json:"channel"`
	Category string   `json:"category"`
	Phones   []string `json:"phones"`
}

// sendQuestion is what a decision is asked about: a category of the business, on a channel.
type sendQuestion struct {
	category consent.Category
	channel  consent.Channel
}

// decision answers GET /v1/decisions?phone=&category=&channel=: may the business send this
// person this category on this channel now.
func (h *Handler) decision(c *gin.Context) {
	b := businessOf(c)
	q, ok := askedSend(c, b, c.Query("category"), c.Query("channel"))
	if !ok {
		return
	}
	phone, ok := requestPhone(c, c.Query("phone"), b.Region)
	if !ok {
		return
	}
	ins, ok := h.decisionInputs(c, q, []string{phone})
	if !ok {
		return
	}
	c.JSON(http.StatusOK, toDecisionJSON(decideAll(b, q, ins, h.now())[0]))
}

// decisions answers POST /v1/decisions: the decision about each phone of the body, in the
// order given, read in one store call however many phones there are.
func (h *Handler) decisions(c *gin.Context) {
	b := businessOf(c)
	var req decisionsRequest
	if !h.decodeBody(c, &req) {
		return
	}
	q, ok := askedSend(c, b, req.Category, req.Channel)
	if !ok || !batchSize(c, len(req.Phones)) {
		return
	}
	batch := readPhoneBatch(req.Phones, b.Region)
	if batch.bad > 0 {
		batch.checkUnknown(nil, b.Region)
		batch.refused(c)
		return
	}
	ins, ok := h.decisionInputs(c, q, batch.phones)
	if !ok {
		return
	}
	if batch.checkUnknown(ins, b.Region); batch.refused(c) {
		return
	}
	c.JSON(http.StatusOK, decisionsBody{Data: toDecisionsJSON(decideAll(b, q, ins, h.now()))})
}

// decisionInputs reads what the store knows of each phone, answering 503 when it fails.
func (h *Handler) decisionInputs(c *gin.Context, q sendQuestion, phones []string) ([]consent.DecisionInput, bool) {
	ins, err := h.store.DecisionInputs(c.Request.Context(), businessOf(c).ID, q.category.Key, q.channel, phones)
	if err == nil && len(ins) != len(phones) {
		err = fmt.Errorf("the store answered %d decision inputs for %d phones", len(ins), len(phones))
	}
	if err != nil {
		h.internalError(c, err)
		return nil, false
	}
	return ins, true
}

// decideAll decides the send about each person at now.
func decideAll(b consent.Business, q sendQuestion, ins []consent.DecisionInput, now time.Time) []consent.Decision {
	out := make([]consent.Decision, len(ins))
	for i, in := range ins {
		out[i] = b.DecideSend(q.category, q.channel, in, now)
	}
	return out
}

// askedSend reads the category and channel of a decision, answering 400 when either is
// missing or unknown.
func askedSend(c *gin.Context, b consent.Business, category, channel string) (sendQuestion, bool) {
	if category == "" {
		badRequest(c, codeBadRequest, "category is required: one of "+strings.Join(b.CategoryKeys(), ", "))
		return sendQuestion{}, false
	}
	if !knownCategory(c, b, category) {
		return sendQuestion{}, false
	}
	ch := consent.Channel(channel)
	if !consent.SendChannel(ch) {
		msg := fmt.Sprintf("channel must be %s or %s, got %q", consent.ChannelWhatsApp, consent.ChannelSMS, channel)
		if channel == "" {
			msg = fmt.Sprintf("channel is required: %s or %s", consent.ChannelWhatsApp, consent.ChannelSMS)
		}
		badRequest(c, codeBadRequest, msg)
		return sendQuestion{}, false
	}
	cat, _ := b.Category(category)
	return sendQuestion{category: cat, channel: ch}, true
}

// batchSize answers 400 for a batch of no phones or of too many.
func batchSize(c *gin.Context, n int) bool {
	switch {
	case n == 0:
		badRequest(c, codeBadRequest, fmt.Sprintf("phones is required: a list of 1 to %d phones", maxDecisionPhones))
		return false
	case n > maxDecisionPhones:
		badRequest(c, codeBadRequest, fmt.Sprintf("phones holds %d phones; ask about at most %d at a time", n, maxDecisionPhones))
		return false
	}
	return true
}
