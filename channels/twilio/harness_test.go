package twilio

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// The deployment the tests pretend to be: Twilio calls testPublicURL and signs with testToken.
const (
	testPublicURL = "https://optin.example"
	testToken     = "8f1d2c3b4a5e6f708192a3b4c5d6e7f8"
	testAccount   = "AC3f5a9c2e7b1d4f6a8c0e2b4d6f8a1c3e"
)

// fixture loads a recorded Twilio form body from fixtures/twilio/NAME.form.
func fixture(t testing.TB, name string) url.Values {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "twilio", name+".form"))
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	form, err := url.ParseQuery(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatalf("parse fixture %s: %v", name, err)
	}
	return form
}

// with returns a copy of form with the given key/value pairs set.
func with(form url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// webhook is one request as Twilio would send it to path (which may carry a query).
type webhook struct {
	path string
	form url.Values
}

// signed builds the request with the signature Twilio computes for testPublicURL+path.
func (w webhook) signed() *http.Request {
	return w.signedWith(testToken, testPublicURL+w.path)
}

// signedWith builds the request signed with token over signURL instead.
func (w webhook) signedWith(token, signURL string) *http.Request {
	r := w.unsigned()
	r.Header.Set("X-Twilio-Signature", Signature(token, signURL, w.form))
	return r
}

// unsigned builds the request with no signature.
func (w webhook) unsigned() *http.Request {
	r := httptest.NewRequest(http.MethodPost, w.path, strings.NewReader(w.form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", "TwilioProxy/1.1")
	return r
}

// newTestRouter builds a Gin engine the way the service does, with the Twilio routes on it.
func newTestRouter(h *Handler) *gin.Engine {
	gin.SetMode(gin.TestMode)
	e := gin.New()
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	h.Register(e)
	return e
}

// serve sends r through the router and returns the recorded response.
func serve(e http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}
