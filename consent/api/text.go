package api

import (
	"fmt"
	"maps"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// storableFields answers 400 naming the first field whose text cannot be stored: a NUL
// character (JSON's \u0000) in a string, anywhere in the evidence object included. JSON
// decoding already replaced invalid UTF-8.
func storableFields(c *gin.Context, fields map[string]any) bool {
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if path, ok := consent.UnstorableIn(name, fields[name]); ok {
			badRequest(c, codeBadRequest, fmt.Sprintf("%s contains a NUL character (\\u0000), which cannot be stored", path))
			return false
		}
	}
	return true
}
