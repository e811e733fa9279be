package api

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/flows"
)

// languageRe accepts the language tags of business files: es, en-US.
var languageRe = regexp.MustCompile(`^[a-z]{2}(-[A-Z]{2})?$`)

type optInRequest struct {
	Phone      string          `json:"phone"`
	Categories []string        `json:"categories"`
	Channel    consent.Channel `json:"channel"`
	Disclosure string          `json:"disclosure"`
	Language   string          `json:"language"`
	Evidence   map[string]any  `json:"evidence"`
}

// optIn answers POST /v1/opt-ins: consent a person gave on a web form or on paper, to the
// disclosure text they saw. The text must pass the same lint as the service's own disclosures;
// it is stored content-addressed and every event points at it. 201 with the events recorded.
func (h *Handler) optIn(c *gin.Context) {
	b := businessOf(c)
	var req optInRequest
	if !h.decodeBody(c, &req) || !storableFields(c, map[string]any{"phone": req.Phone, "categories": req.Categories,
		"channel": string(req.Channel), "disclosure": req.Disclosure, "language": req.Language, "evidence": req.Evidence}) {
		return
	}
	phone, ok := requestPhone(c, req.Phone, b.Region)
	if !ok || !validOptIn(c, b, req) {
		return
	}
	if missing := flows.LintDisclosure(b, req.Categories, req.Channel, req.Disclosure); len(missing) > 0 {
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, errorBody{Error: errorDetail{
			Code:    codeDisclosureLacks,
			Message: "the disclosure lacks: " + strings.Join(missing, "; "),
			Missing: missing,
		}})
		return
	}
	idem, ok := idempotencyKey(c)
	if !ok {
		return
	}
	lang := req.Language
	if lang == "" {
		lang = b.Language
	}
	disclosure := consent.NewDisclosure(b.ID, req.Channel, lang, req.Disclosure)
	events := make([]consent.Event, 0, len(req.Categories))
	for _, cat := range uniqueKeys(req.Categories) {
		events = append(events, consent.Event{
			BusinessID: b.ID, Phone: phone, Category: cat, Action: consent.ActionOptIn,
			Channel: req.Channel, Reason: consent.ReasonAPI, Disclosure: &disclosure,
			Evidence:       req.Evidence,
			IdempotencyKey: idem.forEvent(consent.ActionOptIn, phone, cat),
		})
	}
	h.record(c, phone, events)
}

// validOptIn answers 400 for what no disclosure could fix: no or unknown categories, a channel
// other than web or paper, an empty text.
func validOptIn(c *gin.Context, b consent.Business, req optInRequest) bool {
	switch {
	case len(req.Categories) == 0:
		badRequest(c, codeBadRequest, "categories must name at least one of: "+strings.Join(b.CategoryKeys(), ", "))
	case len(unknownCategories(b, req.Categories)) > 0:
		unknown := unknownCategories(b, req.Categories)
		badRequest(c, codeUnknownCategory, fmt.Sprintf("unknown categories %s; valid categories: %s",
			strings.Join(unknown, ", "), strings.Join(b.CategoryKeys(), ", ")))
	case req.Channel != consent.ChannelWeb && req.Channel != consent.ChannelPaper:
		badRequest(c, codeBadRequest, fmt.Sprintf("channel must be %s or %s, got %q", consent.ChannelWeb, consent.ChannelPaper, req.Channel))
	case strings.TrimSpace(req.Disclosure) == "":
		badRequest(c, codeBadRequest, "disclosure must be the exact text the person saw")
	case req.Language != "" && !languageRe.MatchString(req.Language):
		badRequest(c, codeBadRequest, fmt.Sprintf("language must be a tag such as en-US or es, got %q", req.Language))
	default:
		return true
	}
	return false
}

// uniqueKeys drops repeated keys, keeping the first of each.
func uniqueKeys(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
