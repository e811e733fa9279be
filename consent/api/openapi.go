package api

import (
	_ "embed"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
)

//go:embed openapi.yaml
var spec []byte

// Spec returns the OpenAPI document of the API (YAML).
func Spec() []byte { return slices.Clone(spec) }

// serveSpec answers GET /openapi.yaml.
func serveSpec(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml", spec)
}
