package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// categories answers GET /v1/categories: the business's active categories in menu order.
func (h *Handler) categories(c *gin.Context) {
	b := businessOf(c)
	data := make([]categoryJSON, len(b.Categories))
	for i, cat := range b.Categories {
		data[i] = categoryJSON{Key: cat.Key, Label: cat.Label, Keyword: cat.Keyword, Digit: cat.Digit,
			TemplateCategory: cat.TemplateCategory}
	}
	c.JSON(http.StatusOK, categoriesBody{Data: data})
}

// listConsents answers GET /v1/consents: one page of consents in (phone, category) order.
func (h *Handler) listConsents(c *gin.Context) {
	b := businessOf(c)
	limit, ok := queryLimit(c)
	if !ok {
		return
	}
	f, ok := queryFilter(c, b)
	if !ok {
		return
	}
	var after consent.ConsentKey
	if cur := c.Query("cursor"); cur != "" {
		k, err := h.cursors.decode(b.ID, cur)
		if err != nil {
			badRequest(c, codeInvalidCursor, "cursor was not issued by this list: start again without it")
			return
		}
		after = k
	}
	page, err := h.store.ListConsents(c.Request.Context(), b.ID, f, after, limit+1)
	if err != nil {
		h.internalError(c, err)
		return
	}
	var next *string
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		cur := h.cursors.encode(b.ID, consent.ConsentKey{Phone: last.Phone, Category: last.Category})
		next = &cur
	}
	c.JSON(http.StatusOK, consentPageBody{Data: toConsentsJSON(page), NextCursor: next})
}

// consentsOfPhone answers GET /v1/consents/{phone}[?category=]; an unknown phone has an empty
// list.
func (h *Handler) consentsOfPhone(c *gin.Context) {
	phone, ok := pathPhone(c, businessOf(c).Region)
	if !ok {
		return
	}
	category := c.Query("category")
	if category != "" && !knownCategory(c, businessOf(c), category) {
		return
	}
	cs, err := h.store.ConsentsOf(c.Request.Context(), businessOf(c).ID, phone)
	if err != nil {
		h.internalError(c, err)
		return
	}
	if category != "" {
		cs = slices.DeleteFunc(cs, func(x consent.Consent) bool { return x.Category != category })
	}
	c.JSON(http.StatusOK, phoneConsentsBody{Phone: phone, Consents: toConsentsJSON(cs)})
}

// evidence answers GET /v1/consents/{phone}/evidence: every event of the phone, oldest first,
// with the disclosure each one answered.
func (h *Handler) evidence(c *gin.Context) {
	phone, ok := pathPhone(c, businessOf(c).Region)
	if !ok {
		return
	}
	es, err := h.store.Evidence(c.Request.Context(), businessOf(c).ID, phone)
	if err != nil {
		h.internalError(c, err)
		return
	}
	c.JSON(http.StatusOK, phoneEvidenceBody{Phone: phone, Events: toEvidenceJSON(es)})
}

// events answers GET /v1/events: the ledger in id order after ?after=, for incremental sync.
// next_after is the id to ask after next time; it stays put when nothing is new.
func (h *Handler) events(c *gin.Context) {
	after, limit, ok := feedPage(c)
	if !ok {
		return
	}
	es, err := h.store.EventsAfter(c.Request.Context(), businessOf(c).ID, after, limit)
	if err != nil {
		h.internalError(c, err)
		return
	}
	next := after
	if len(es) > 0 {
		next = es[len(es)-1].ID
	}
	c.JSON(http.StatusOK, eventPageBody{Data: toEventsJSON(es), NextAfter: next})
}

// feedPage reads ?after= and ?limit= of a feed (events, signals); on a bad value it answers 400
// and reports false.
func feedPage(c *gin.Context) (after int64, limit int, ok bool) {
	if limit, ok = queryLimit(c); !ok {
		return 0, 0, false
	}
	after, err := queryAfter(c)
	if err != nil {
		badRequest(c, codeBadRequest, err.Error())
		return 0, 0, false
	}
	return after, limit, true
}

func queryAfter(c *gin.Context) (int64, error) {
	raw, ok := c.GetQuery("after")
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("after must be an event id (an integer ≥ 0), got %q", raw)
	}
	return n, nil
}
