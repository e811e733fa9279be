package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/api"
)

// specChecker validates every answer the tests see against openapi.yaml.
type specChecker struct {
	t      testing.TB
	doc    *openapi3.T
	router routers.Router
}

func newSpecChecker(t testing.TB) *specChecker {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return &specChecker{t: t, doc: doc, router: router}
}

// check fails the test when an answer is not one the spec allows.
func (s *specChecker) check(req *http.Request, r reply) {
	s.t.Helper()
	require.NoError(s.t, s.validate(req, r), "%s %s answered %d %s, which the spec does not allow",
		req.Method, req.URL.Path, r.Status, r.Body)
}

// validate checks one answer. Unknown routes must still answer in the Error shape; NDJSON
// exports are checked line by line against the Consent schema.
func (s *specChecker) validate(req *http.Request, r reply) error {
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return s.visit("Error", r.Body)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-ndjson") {
		opts.ExcludeResponseBody = true
		if err := s.visitLines("Consent", r.Body); err != nil {
			return err
		}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.Status,
		Header:                 r.Header,
		Options:                opts,
	}
	in.SetBodyBytes(r.Body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func (s *specChecker) visitLines(schema string, body []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if err := s.visit(schema, sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// visit validates a JSON document against a schema of the spec's components.
func (s *specChecker) visit(schema string, body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%s is not JSON: %w", body, err)
	}
	if err := s.doc.Components.Schemas[schema].Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%s does not match the %s schema: %w", body, schema, err)
	}
	return nil
}

func TestSpecCheckerRefusesAnswersOutsideTheSpec(t *testing.T) {
	s := newSpecChecker(t)
	get := func(path string) *http.Request {
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:1"+path, nil)
		require.NoError(t, err)
		return req
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name string
		req  *http.Request
		r    reply
	}{
		{"a consent list without next_cursor", get("/v1/consents"),
			reply{Status: 200, Header: jsonHeader, Body: []byte(`{"data":[]}`)}},
		{"a consent with an unknown status", get("/v1/consents/%2B14155550100"),
			reply{Status: 200, Header: jsonHeader, Body: []byte(`{"phone":"+14155550100","consents":[{"phone":"+14155550100","category":"offers","status":"maybe","channel":"ivr","updated_at":"2025-04-11T12:00:00Z","event_id":1}]}`)}},
		{"a status the endpoint does not answer", get("/v1/categories"),
			reply{Status: 418, Header: jsonHeader, Body: []byte(`{"error":{"code":"internal","message":"x"}}`)}},
		{"an error of another shape on an unknown route", get("/nowhere"),
			reply{Status: 404, Header: jsonHeader, Body: []byte(`{"message":"not found"}`)}},
		{"an NDJSON line that is not a consent", get("/v1/export"),
			reply{Status: 200, Header: http.Header{"Content-Type": {"application/x-ndjson"}}, Body: []byte("{\"phone\":\"+14155550100\"}\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, s.validate(tt.req, tt.r))
		})
	}
}
