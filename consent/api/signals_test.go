package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestASenderFollowsPlatformSignalsLikeTheLedger(t *testing.T) {
	e := newEnv(t)
	for i, sid := range []string{"SM0000000000000000000000000000sg01", "SM0000000000000000000000000000sg02"} {
		_, fresh, err := e.store.RecordSignal(context.Background(), consent.Signal{BusinessID: acme, Phone: "+1415555010" + string(rune('1'+i)),
			Kind: consent.SignalPlatformStop, Channel: consent.ChannelWhatsApp, Sender: "whatsapp:+15005550006", ErrorCode: "63033", ProviderRef: sid})
		require.NoError(t, err)
		require.True(t, fresh)
	}
	_, fresh, err := e.store.RecordSignal(context.Background(), consent.Signal{BusinessID: "globex", Phone: "+14155550109",
		Kind: consent.SignalUndeliverable, Channel: consent.ChannelWhatsApp, ErrorCode: "63014", ProviderRef: "SM0000000000000000000000000000sg09"})
	require.NoError(t, err)
	require.True(t, fresh)

	r := e.get(acme, "/v1/signals?limit=1")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	page := r.JSON(t)
	data := page["data"].([]any)
	require.Len(t, data, 1)
	first := data[0].(map[string]any)
	assert.Equal(t, "platform_stop", first["kind"])
	assert.Equal(t, "63033", first["error_code"])
	next := page["next_after"].(float64)

	r = e.get(acme, "/v1/signals?after="+strconv.FormatInt(int64(next), 10))
	require.Equal(t, http.StatusOK, r.Status)
	rest := r.JSON(t)["data"].([]any)
	require.Len(t, rest, 1, "the next page holds the other signal of this business, and none of another's")
	assert.Equal(t, "+14155550102", rest[0].(map[string]any)["phone"])

	r = e.get(acme, "/v1/signals?after="+strconv.FormatInt(int64(rest[0].(map[string]any)["id"].(float64)), 10))
	assert.Empty(t, r.JSON(t)["data"], "nothing new")
}
