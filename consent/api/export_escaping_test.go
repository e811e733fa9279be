package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// oddConsentSQL writes a consent whose phone holds what no valid phone does, as a row left by
// an older version or written by hand would. The event it points at is an ordinary one.
const oddConsentSQL = `
WITH event AS (
	INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, occurred_at, idempotency_key)
	VALUES ('acme', '+14155550100', 'offers', 'opt_out', 'sms', 'keyword', 'STOP', $2, 'odd')
	RETURNING id
)
INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
SELECT 'acme', $1, 'offers', 'opted_out', 'sms', $2, id FROM event`

func TestAnExportEscapesWhateverAPhoneHolds(t *testing.T) {
	e := newEnv(t)
	odd := "+1 415 \"555\" \\ <b>&</b>\t\x01\u2028é"
	at := time.Date(2025, 4, 11, 9, 30, 15, 250_000_000, time.UTC)
	_, err := e.store.DB().ExecContext(context.Background(), oddConsentSQL, odd, at)
	require.NoError(t, err)

	var eventID int64
	require.NoError(t, e.store.DB().GetContext(context.Background(), &eventID, `SELECT event_id FROM consents`))

	// Asked past the spec checker: the spec rightly says no phone looks like this one.
	res, err := e.server.Client().Do(e.request(acme, http.MethodGet, "/v1/export", nil))
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	want, err := json.Marshal(struct {
		Phone     string    `json:"phone"`
		Category  string    `json:"category"`
		Status    string    `json:"status"`
		Channel   string    `json:"channel"`
		UpdatedAt time.Time `json:"updated_at"`
		EventID   int64     `json:"event_id"`
	}{odd, "offers", "opted_out", "sms", at, eventID})
	require.NoError(t, err)
	require.Equal(t, string(want)+"\n", string(body))
	require.Contains(t, string(body), `\u003cb\u003e\u0026`, "HTML characters are escaped as before")
}
