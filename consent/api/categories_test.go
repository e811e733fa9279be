package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCategories(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name     string
		business string
		status   int
		keys     []any
	}{
		{"the demo business sees its three categories in menu order", acme, http.StatusOK, []any{"order_updates", "offers", "restock"}},
		{"the second business sees its own two", globex, http.StatusOK, []any{"order_updates", "newsletter"}},
		{"a request without a key is refused", nobody, http.StatusUnauthorized, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.business, "/v1/categories")
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			if tt.status != http.StatusOK {
				return
			}
			var keys []any
			for _, c := range r.JSON(t)["data"].([]any) {
				keys = append(keys, c.(map[string]any)["key"])
			}
			require.Equal(t, tt.keys, keys)
		})
	}
	first := e.get(acme, "/v1/categories").JSON(t)["data"].([]any)[0]
	require.Equal(t, map[string]any{"key": "order_updates", "label": "order updates", "keyword": "ORDERS", "digit": 1.0,
		"template_category": "utility"}, first)
	second := e.get(acme, "/v1/categories").JSON(t)["data"].([]any)[1]
	require.Equal(t, "marketing", second.(map[string]any)["template_category"], "a category without one is marketing")
}
