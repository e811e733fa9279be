package api_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/webhooks"
)

// registryRef lets a test wire a registry over the store newEnv makes, after it makes it.
type registryRef struct{ *webhooks.Registry }

// webhookEnv is the API with webhooks, over a sealer of its own; allowPrivate lets receivers
// on 127.0.0.1 be registered.
func webhookEnv(t *testing.T, allowPrivate, withKey bool) (*apiEnv, *webhooks.Sealer) {
	t.Helper()
	ref := &registryRef{}
	e := newEnv(t, func(o *api.Options) { o.Webhooks = ref })
	var sealer *webhooks.Sealer
	if withKey {
		key := make([]byte, webhooks.KeySize)
		rand.Read(key)
		var err error
		sealer, err = webhooks.NewSealer(key)
		require.NoError(t, err)
	}
	ref.Registry = webhooks.NewRegistry(e.store, sealer, webhooks.AddressPolicy{AllowPrivate: allowPrivate})
	return e, sealer
}

func (e *apiEnv) delete(business, path string) reply {
	e.t.Helper()
	return e.do(e.request(business, http.MethodDelete, path, nil))
}

func TestWebhooksAreRegisteredListedAndRemovedPerBusiness(t *testing.T) {
	e, _ := webhookEnv(t, false, true)
	r := e.post(acme, "/v1/webhooks", map[string]any{"url": "https://93.184.215.14/hooks/optin", "events": []string{"consent.changed"}})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	created := r.JSON(t)
	assert.Regexp(t, `^whsec_[A-Za-z0-9+/]{32}$`, created["secret"])
	assert.Equal(t, []any{"consent.changed"}, created["events"])
	id := fmt.Sprint(created["id"])

	r = e.post(acme, "/v1/webhooks", map[string]any{"url": "https://93.184.215.14/all"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	assert.Equal(t, []any{"consent.changed", "signal.recorded"}, r.JSON(t)["events"], "without events, both streams")

	r = e.get(acme, "/v1/webhooks")
	require.Equal(t, http.StatusOK, r.Status)
	assert.NotContains(t, string(r.Body), "whsec_", "a list never shows a secret")
	assert.Len(t, r.JSON(t)["data"], 2)
	assert.Empty(t, e.get(globex, "/v1/webhooks").JSON(t)["data"], "another business sees none of them")
	assert.Equal(t, http.StatusNotFound, e.delete(globex, "/v1/webhooks/"+id).Status, "nor removes them")
	assert.Equal(t, http.StatusNotFound, e.get(globex, "/v1/webhooks/"+id+"/deliveries").Status)

	r = e.get(acme, "/v1/webhooks/"+id+"/deliveries?limit=10")
	require.Equal(t, http.StatusOK, r.Status)
	assert.Empty(t, r.JSON(t)["data"])

	assert.Equal(t, http.StatusNoContent, e.delete(acme, "/v1/webhooks/"+id).Status)
	assert.Len(t, e.get(acme, "/v1/webhooks").JSON(t)["data"], 1)
	r = e.delete(acme, "/v1/webhooks/"+id)
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Equal(t, "not_found", r.ErrorCode(t))
}

func TestAWebhookRegistrationThatCannotBeAcceptedSaysWhy(t *testing.T) {
	e, _ := webhookEnv(t, false, true)
	tests := []struct {
		name string
		body any
		says string
	}{
		{"a loopback receiver", map[string]any{"url": "http://127.0.0.1:9000/hook"}, "127.0.0.1, a loopback address"},
		{"a private receiver", map[string]any{"url": "https://10.0.0.8/hook"}, "a private address"},
		{"the metadata address", map[string]any{"url": "http://169.254.169.254/latest"}, "a link-local address"},
		{"localhost", map[string]any{"url": "http://localhost:8080/hook"}, "a loopback address"},
		{"another scheme", map[string]any{"url": "ftp://93.184.215.14/"}, "must start with https://"},
		{"no URL", map[string]any{"events": []string{"consent.changed"}}, "url: is required"},
		{"an unknown event", map[string]any{"url": "https://93.184.215.14/", "events": []string{"consent.removed"}}, `unknown event "consent.removed"`},
		{"no events", map[string]any{"url": "https://93.184.215.14/", "events": []string{}}, "name at least one"},
		{"an unknown field", `{"url":"https://93.184.215.14/","secret":"whsec_x"}`, `unknown field "secret"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(acme, "/v1/webhooks", tt.body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
			assert.Contains(t, r.JSON(t)["error"].(map[string]any)["message"], tt.says)
		})
	}
	assert.Empty(t, e.get(acme, "/v1/webhooks").JSON(t)["data"])
	assert.Equal(t, http.StatusBadRequest, e.delete(acme, "/v1/webhooks/abc").Status, "an id is a number")
	assert.Equal(t, http.StatusBadRequest, e.get(acme, "/v1/webhooks/1/deliveries?limit=0").Status)
	assert.Equal(t, http.StatusBadRequest, e.get(acme, "/v1/webhooks/1/deliveries?after=3").Status, "unknown parameters are named")
}

func TestAServerWithoutASecretKeyRefusesToCreateWebhooks(t *testing.T) {
	e, _ := webhookEnv(t, true, false)
	r := e.post(acme, "/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9000/hook"})
	require.Equal(t, http.StatusServiceUnavailable, r.Status)
	assert.Contains(t, string(r.Body), "WEBHOOK_SECRET_KEY")
	assert.Equal(t, http.StatusOK, e.get(acme, "/v1/webhooks").Status, "listing still works")
}

func TestAnOptOutThroughTheAPIReachesAWebhookRegisteredThroughIt(t *testing.T) {
	e, sealer := webhookEnv(t, true, true)
	var mu sync.Mutex
	var bodies []map[string]any
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		m["signature"] = r.Header.Get("webhook-signature")
		mu.Lock()
		bodies = append(bodies, m)
		mu.Unlock()
	}))
	t.Cleanup(receiver.Close)
	r := e.post(acme, "/v1/webhooks", map[string]any{"url": receiver.URL + "/hook"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	id := fmt.Sprint(r.JSON(t)["id"])

	d := webhooks.New(e.store, webhooks.Options{Sealer: sealer, Addresses: webhooks.AddressPolicy{AllowPrivate: true},
		PollInterval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	r = e.post(acme, "/v1/opt-outs", map[string]any{"phone": "+14155550177", "category": "offers"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(bodies) == 1 }, 30*time.Second, 10*time.Millisecond)
	mu.Lock()
	got := bodies[0]
	mu.Unlock()
	assert.Equal(t, "consent.changed", got["type"])
	assert.True(t, strings.HasPrefix(got["signature"].(string), "v1,"))
	data := got["data"].(map[string]any)
	assert.Equal(t, "+14155550177", data["phone"])
	assert.Equal(t, "api", data["channel"])

	r = e.get(acme, "/v1/webhooks/"+id+"/deliveries")
	require.Equal(t, http.StatusOK, r.Status)
	ds := r.JSON(t)["data"].([]any)
	require.Len(t, ds, 1)
	delivery := ds[0].(map[string]any)
	assert.Equal(t, "delivered", delivery["status"])
	assert.Equal(t, float64(1), delivery["attempts"])
	assert.Equal(t, float64(200), delivery["last_status_code"])
	assert.Nil(t, delivery["next_attempt_at"])
	assert.Equal(t, data["id"], delivery["event_id"])
}
