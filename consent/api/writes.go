package api

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

type optOutRequest struct {
	Phone      string   `json:"phone"`
	Category   string   `json:"category"`
	Categories []string `json:"categories"`
}

// optOut answers POST /v1/opt-outs: the phone stops receiving the categories named (category
// or categories), or every category when none is named or the business revokes globally (from
// its date on, when it set one). 201
// with the events recorded.
func (h *Handler) optOut(c *gin.Context) {
	b := businessOf(c)
	var req optOutRequest
	if !h.decodeBody(c, &req) || !storableFields(c, map[string]any{"phone": req.Phone, "category": req.Category, "categories": req.Categories}) {
		return
	}
	phone, ok := requestPhone(c, req.Phone, b.Region)
	if !ok {
		return
	}
	cats, ok := optOutCategories(c, b, req, h.now())
	if !ok {
		return
	}
	idem, ok := idempotencyKey(c)
	if !ok {
		return
	}
	events := make([]consent.Event, len(cats))
	for i, cat := range cats {
		events[i] = consent.Event{
			BusinessID: b.ID, Phone: phone, Category: cat, Action: consent.ActionOptOut,
			Channel: consent.ChannelAPI, Reason: consent.ReasonAPI,
			Evidence:       map[string]any{"api_key": keyOf(c).Prefix},
			IdempotencyKey: idem.forEvent(consent.ActionOptOut, phone, cat),
		}
	}
	h.record(c, phone, events)
}

// optOutCategories returns the categories an opt-out taken at now stops, answering 400 for a
// request that names both category and categories, or a category the business does not have.
func optOutCategories(c *gin.Context, b consent.Business, req optOutRequest, now time.Time) ([]string, bool) {
	named := req.Categories
	switch {
	case req.Category != "" && req.Categories != nil:
		badRequest(c, codeBadRequest, "give category or categories, not both")
		return nil, false
	case req.Category != "":
		named = []string{req.Category}
	case req.Categories != nil && len(req.Categories) == 0:
		badRequest(c, codeBadRequest, "categories is empty: name at least one of "+strings.Join(b.CategoryKeys(), ", ")+", or leave it out to stop all")
		return nil, false
	}
	if unknown := unknownCategories(b, named); len(unknown) > 0 {
		badRequest(c, codeUnknownCategory, fmt.Sprintf("unknown categories %s; valid categories: %s",
			strings.Join(unknown, ", "), strings.Join(b.CategoryKeys(), ", ")))
		return nil, false
	}
	if len(named) == 0 || b.RevokesGlobally(now) {
		return b.CategoryKeys(), true
	}
	return uniqueKeys(named), true
}

// record stores the events of one request about one person, in that person's unit and
// stamped with its time, and answers 201 with what the ledger holds for them: on a retried
// request those are the events of the first one. An opt-out taken while the store does not
// answer is spooled and answered 202 with its spool id.
func (h *Handler) record(c *gin.Context, phone string, events []consent.Event) {
	b := businessOf(c)
	done, spoolID, err := h.commitOrSpool(c.Request.Context(), b.ID, phone, events)
	switch {
	case spoolID != "":
		answerSpooled(c, spoolID)
		return
	case errors.Is(err, consent.ErrUnknownCategory):
		badRequest(c, codeUnknownCategory, "a category is not one of this business's")
		return
	case errors.Is(err, consent.ErrInvalid):
		h.logger.WarnContext(c.Request.Context(), "write refused by the store", "err", err)
		badRequest(c, codeBadRequest, "the request holds a value the ledger cannot store")
		return
	case err != nil:
		h.internalError(c, err)
		return
	}
	c.JSON(http.StatusCreated, eventsBody{Data: toEventsJSON(done.Events)})
}

// requestPhone normalises a phone of a request body, national numbers in the business region.
func requestPhone(c *gin.Context, raw, region string) (string, bool) {
	if strings.TrimSpace(raw) == "" {
		badRequest(c, codeInvalidPhone, "phone is required, in E.164 such as +14155550100")
		return "", false
	}
	return bodyPhone(c, raw, region)
}

// decodeBody reads one JSON object into v, refusing unknown fields so typos are not ignored.
func (h *Handler) decodeBody(c *gin.Context, v any) bool {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("a JSON object is required")
		}
		bodyError(c, h.opts.MaxBodyBytes, err)
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			bodyError(c, h.opts.MaxBodyBytes, err)
			return false
		}
		badRequest(c, codeBadRequest, "request body: one JSON object expected, found more after it")
		return false
	}
	return true
}

// idempotency makes the ledger keys of one API request. A retried request with the same
// Idempotency-Key header makes the same keys, so it records nothing twice.
type idempotency struct {
	request string
}

// idempotencyKey reads the Idempotency-Key header; without one, the request is unique.
func idempotencyKey(c *gin.Context) (idempotency, bool) {
	k := c.GetHeader("Idempotency-Key")
	if k == "" {
		return idempotency{request: "auto:" + rand.Text()}, true
	}
	if len(k) > maxIdempotencyKey || strings.IndexFunc(k, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		badRequest(c, codeBadRequest, fmt.Sprintf("Idempotency-Key must be 1–%d printable ASCII characters", maxIdempotencyKey))
		return idempotency{}, false
	}
	return idempotency{request: "key:" + k}, true
}

// forEvent is the ledger idempotency key of one event of the request. The phone is part of it
// so a key reused by mistake for another person still records that person's choice.
func (i idempotency) forEvent(action consent.Action, phone, category string) string {
	return strings.Join([]string{"api", i.request, string(action), phone, category}, ":")
}
