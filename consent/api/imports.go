package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent/imports"
)

// importsPath is the route of bulk imports, whose body may be large and take long to record.
const importsPath = "/v1/imports"

// allowMissingDisclosureParam is the query parameter that imports opt-ins without their
// disclosure, marked so in their evidence.
const allowMissingDisclosureParam = "allow_missing_disclosure"

// importConsents answers POST /v1/imports: an NDJSON body of ImportRows, consent people gave
// before the service, recorded with its original time and channel and the reason import. The
// good rows are recorded and the bad ones reported by line: 200 with the summary. A body that
// is not NDJSON at all is a 400 and records nothing.
func (h *Handler) importConsents(c *gin.Context) {
	allowMissing, ok := importQuery(c)
	if !ok {
		return
	}
	ctx, progressed, stop := unitDeadline(c.Request.Context(), h.opts.RequestTimeout)
	defer stop()
	check := imports.NewChecker(businessOf(c), h.now(), imports.CheckOptions{
		AllowMissingDisclosure: allowMissing,
		MissingDisclosureHint:  "send " + allowMissingDisclosureParam + "=true to import opt-ins without one",
	})
	sum, err := imports.Run(ctx, h.store, imports.NewNDJSON(c.Request.Body), check,
		imports.Options{Progress: func(imports.Summary) { progressed() }})
	if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
		abortError(c, http.StatusRequestEntityTooLarge, codeTooLarge,
			bodyTooLargeMessage(h.opts.MaxImportBytes)+"; the rows before the limit may be recorded: send the rest in another request")
		return
	}
	switch {
	case errors.Is(err, imports.ErrNotNDJSON):
		badRequest(c, codeBadRequest, "request body: "+err.Error())
	case err != nil:
		h.internalError(c, err)
	case sum.Rows() == 0:
		badRequest(c, codeBadRequest, "request body: no rows; send one ImportRow JSON object a line")
	default:
		if sum.Errors == nil {
			sum.Errors = []imports.Problem{}
		}
		c.JSON(http.StatusOK, sum)
	}
}

// importQuery reads ?allow_missing_disclosure=true|false, the import's one parameter.
func importQuery(c *gin.Context) (allowMissing bool, ok bool) {
	q := c.Request.URL.Query()
	var unknown []string
	for name := range q {
		if name != allowMissingDisclosureParam {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		badRequest(c, codeBadRequest, fmt.Sprintf("unknown query parameters %s; an import takes only %s",
			strings.Join(unknown, ", "), allowMissingDisclosureParam))
		return false, false
	}
	switch v := q.Get(allowMissingDisclosureParam); v {
	case "", "false":
		return false, true
	case "true":
		return true, true
	default:
		badRequest(c, codeBadRequest, fmt.Sprintf("%s must be true or false, got %q", allowMissingDisclosureParam, v))
		return false, false
	}
}

// unitDeadline returns a context that ends when parent does or when window passes without a
// unit recorded: an import may take many minutes, but a store that stops answering ends it.
func unitDeadline(parent context.Context, window time.Duration) (ctx context.Context, progressed func(), stop func()) {
	ctx, cancel := context.WithCancel(parent)
	timer := time.AfterFunc(window, cancel)
	return ctx, func() { timer.Reset(window) }, func() {
		timer.Stop()
		cancel()
	}
}
