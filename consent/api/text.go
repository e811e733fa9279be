package api

import (
	"fmt"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// storableFields answers 400 naming the first field whose text cannot be stored: a NUL
// character (JSON's \u0000) in a string, anywhere in the evidence object included. JSON
// decoding already replaced invalid UTF-8.
func storableFields(c *gin.Context, fields map[string]any) bool {
	for _, name := range sortedKeys(fields) {
		if path, ok := unstorable(name, fields[name]); ok {
			badRequest(c, codeBadRequest, fmt.Sprintf("%s contains a NUL character (\\u0000), which cannot be stored", path))
			return false
		}
	}
	return true
}

// unstorable returns the path of the first string in v that consent.StorableText refuses.
func unstorable(path string, v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return path, !consent.StorableText(v)
	case []string:
		for i, s := range v {
			if !consent.StorableText(s) {
				return fmt.Sprintf("%s[%d]", path, i), true
			}
		}
	case []any:
		for i, x := range v {
			if p, bad := unstorable(fmt.Sprintf("%s[%d]", path, i), x); bad {
				return p, true
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if !consent.StorableText(k) {
				return path + " (a key)", true
			}
			if p, bad := unstorable(path+"."+k, v[k]); bad {
				return p, true
			}
		}
	}
	return "", false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
