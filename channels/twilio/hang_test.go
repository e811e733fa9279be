package twilio

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// hangingStore is a database that accepted the connection and then stopped answering.
type hangingStore struct {
	Store
	release chan struct{}
}

func (s hangingStore) BusinessByNumber(ctx context.Context, _ string) (consent.Business, error) {
	<-s.release // like lib/pq, ignores ctx until the server answers
	return consent.Business{}, consent.ErrNotFound
}

func TestWebhooksAreAnsweredWhenTheDatabaseHangs(t *testing.T) {
	store := hangingStore{release: make(chan struct{})}
	defer close(store.release)
	e := newTestRouter(NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken, RequestTimeout: 50 * time.Millisecond}, store, nil))
	for _, tt := range []struct {
		path, fixture string
		status        int
	}{
		{"/twilio/sms", "sms-keyword", http.StatusServiceUnavailable},
		{"/twilio/status", "status-21610", http.StatusServiceUnavailable},
		{"/twilio/voice", "voice-incoming", http.StatusOK}, // the apology, as TwiML
	} {
		t.Run(tt.path, func(t *testing.T) {
			answered := make(chan int, 1)
			go func() { answered <- serve(e, webhook{path: tt.path, form: fixture(t, tt.fixture)}.signed()).Code }()
			select {
			case code := <-answered:
				assert.Equal(t, tt.status, code)
			case <-time.After(10 * time.Second):
				require.Fail(t, "the webhook waited for the hung database past its deadline")
			}
		})
	}
}
