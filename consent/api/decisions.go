package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// maxDecisionPhones bounds the phones of one POST /v1/decisions.
const maxDecisionPhones = 1000

// maxPhoneProblems is how many bad phones of a batch one answer names.
const maxPhoneProblems = 10

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
	ds, ok := h.decide(c, q, []string{phone})
	if !ok {
		return
	}
	c.JSON(http.StatusOK, toDecisionJSON(ds[0]))
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
	if !ok {
		return
	}
	phones, ok := batchPhones(c, req.Phones, b.Region)
	if !ok {
		return
	}
	ds, ok := h.decide(c, q, phones)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, decisionsBody{Data: toDecisionsJSON(ds)})
}

// decide reads what is known of the phones and decides each at the handler's time.
func (h *Handler) decide(c *gin.Context, q sendQuestion, phones []string) ([]consent.Decision, bool) {
	b := businessOf(c)
	ins, err := h.store.DecisionInputs(c.Request.Context(), b.ID, q.category.Key, q.channel, phones)
	if err == nil && len(ins) != len(phones) {
		err = fmt.Errorf("the store answered %d decision inputs for %d phones", len(ins), len(phones))
	}
	if err != nil {
		h.internalError(c, err)
		return nil, false
	}
	now := h.now()
	out := make([]consent.Decision, len(ins))
	for i, in := range ins {
		out[i] = b.DecideSend(q.category, q.channel, in, now)
	}
	return out, true
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

// batchPhones normalises the phones of a batch, answering 400 for an empty or oversized
// batch, or naming the index of each phone that is not one (the first maxPhoneProblems).
func batchPhones(c *gin.Context, raw []string, region string) ([]string, bool) {
	switch {
	case len(raw) == 0:
		badRequest(c, codeBadRequest, fmt.Sprintf("phones is required: a list of 1 to %d phones", maxDecisionPhones))
		return nil, false
	case len(raw) > maxDecisionPhones:
		badRequest(c, codeBadRequest, fmt.Sprintf("phones holds %d phones; ask about at most %d at a time", len(raw), maxDecisionPhones))
		return nil, false
	}
	phones := make([]string, len(raw))
	var problems []string
	bad := 0
	for i, r := range raw {
		p, err := batchPhone(r, region)
		if err != nil {
			if bad++; bad <= maxPhoneProblems {
				problems = append(problems, fmt.Sprintf("phones[%d]: %v", i, err))
			}
			continue
		}
		phones[i] = p
	}
	if bad > 0 {
		msg := strings.Join(problems, "; ")
		if bad > maxPhoneProblems {
			msg += fmt.Sprintf("; and %d more", bad-maxPhoneProblems)
		}
		badRequest(c, codeInvalidPhone, msg)
		return nil, false
	}
	return phones, true
}

// batchPhone normalises one phone of a batch to E.164; national numbers use region.
func batchPhone(raw, region string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("is empty")
	}
	return consent.NormalizePhone(raw, region)
}
