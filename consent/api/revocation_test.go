package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestOptOutOfOneCategoryReachesEveryCategoryFromTheRevokeAllDate(t *testing.T) {
	tests := []struct {
		name string
		from time.Time
		want []string
	}{
		{"the day before the date it stops the category named", testNow.Add(24 * time.Hour), []string{ann + "/offers/opt_out/api/api"}},
		{"from the date on it stops every category", testNow, []string{
			ann + "/order_updates/opt_out/api/api", ann + "/offers/opt_out/api/api", ann + "/restock/opt_out/api/api"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			b := e.businesses[acme]
			b.RevocationGlobalFrom = tt.from
			_, err := e.store.ApplyBusiness(context.Background(), b)
			require.NoError(t, err)
			r := e.post(acme, "/v1/opt-outs", map[string]any{"phone": ann, "category": "offers"})
			require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
			require.Equal(t, tt.want, recorded(t, r))
		})
	}
}
