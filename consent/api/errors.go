package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"
)

// Error codes of the API, the stable machine-readable half of every error answer.
const (
	codeBadRequest       = "bad_request"           // malformed input: query, body, cursor, phone
	codeUnknownCategory  = "unknown_category"      // a category key the business does not have
	codeInvalidPhone     = "invalid_phone"         // a phone number that is not valid E.164
	codeInvalidCursor    = "invalid_cursor"        // a cursor that was not issued for this list
	codeUnauthorized     = "unauthorized"          // missing, unknown or revoked API key
	codeNotFound         = "not_found"             // no such route
	codeMethodNotAllowed = "method_not_allowed"    // the route exists for other methods
	codeTooLarge         = "request_too_large"     // body over the limit
	codeDisclosureLacks  = "disclosure_incomplete" // the disclosure misses required elements
	codeRateLimited      = "rate_limited"          // too many requests for this key
	codeInternal         = "internal"              // the service failed; details are logged
	codeUnavailable      = "unavailable"           // the store did not answer in time; retry
)

// errorBody is the one error shape of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Missing []string `json:"missing,omitempty"` // what a disclosure lacks, for 422
}

// ErrorJSON writes {"error":{"code","message"}} with status and stops the handler chain.
func ErrorJSON(c *gin.Context, status int, code, message string) {
	abortError(c, status, code, message)
}

// NoRoute answers a request for an unknown path with 404 in the API's error shape. Pass it to
// the engine's NoRoute.
func NoRoute(c *gin.Context) {
	abortError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("no route %s %s", c.Request.Method, c.Request.URL.Path))
}

// NoMethod answers a known path asked with another method with 405 in the API's error shape.
// Pass it to the engine's NoMethod (used when HandleMethodNotAllowed is on).
func NoMethod(c *gin.Context) {
	abortError(c, http.StatusMethodNotAllowed, codeMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
}

func abortError(c *gin.Context, status int, code, message string) {
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: code, Message: message}})
}

func badRequest(c *gin.Context, code, message string) {
	abortError(c, http.StatusBadRequest, code, message)
}

// internalError logs a store failure with the request and answers 503 without details: the
// store refused, hung or answered too late, and the request may be retried shortly.
func (h *Handler) internalError(c *gin.Context, err error) {
	h.logger.ErrorContext(c.Request.Context(), "business api: the store failed",
		"method", c.Request.Method, "path", c.FullPath(), "err", err)
	c.Header("Retry-After", "1")
	abortError(c, http.StatusServiceUnavailable, codeUnavailable, "the consent store did not answer in time; retry shortly")
}

// bodyError answers a request body that could not be decoded: 413 when it was too large.
func bodyError(c *gin.Context, limit int64, err error) {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		abortError(c, http.StatusRequestEntityTooLarge, codeTooLarge, bodyTooLargeMessage(limit))
		return
	}
	badRequest(c, codeBadRequest, "request body: "+jsonProblem(err))
}

// jsonProblem says in plain words what is wrong with a JSON body, naming the field, without
// the Go types encoding/json speaks of.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("%s must be %s, got %s", typ.Field, jsonKind(typ.Type), typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("a JSON object is required, got %s", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends before it is complete"
	}
	msg := err.Error()
	if field, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown field " + field
	}
	return strings.TrimPrefix(msg, "json: ")
}

// jsonKind names what a field holds in JSON's words.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list of " + strings.TrimPrefix(jsonKind(t.Elem()), "a ") + "s"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return "a number"
	}
	return "another kind of value"
}

func bodyTooLargeMessage(limit int64) string {
	return fmt.Sprintf("request body is larger than %d bytes", limit)
}
