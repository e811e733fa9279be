package api

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

// loadSpec parses and validates the embedded OpenAPI document.
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(Spec())
	require.NoError(t, err, "openapi.yaml must parse")
	require.NoError(t, doc.Validate(context.Background()), "openapi.yaml must be a valid OpenAPI document")
	return doc
}

func TestSpecIsAValidOpenAPI31Document(t *testing.T) {
	doc := loadSpec(t)
	require.True(t, doc.IsOpenAPI31OrLater(), "the spec is OpenAPI 3.1")
	for _, path := range []string{"/v1/categories", "/v1/consents", "/v1/consents/{phone}",
		"/v1/consents/{phone}/evidence", "/v1/decisions", "/v1/events", "/v1/export", "/v1/opt-outs", "/v1/opt-ins"} {
		require.NotNil(t, doc.Paths.Value(path), "the spec describes %s", path)
	}
}
