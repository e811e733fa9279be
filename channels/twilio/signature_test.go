package twilio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/optin/optin/consent"
)

// noBusinesses is a store that owns no number: enough to reach every handler without
// touching consent, so these tests exercise the signature check alone.
type noBusinesses struct{ Store }

func (noBusinesses) BusinessByNumber(context.Context, string) (consent.Business, error) {
	return consent.Business{}, consent.ErrNotFound
}

// routeHooks are one signed request per Twilio route, each one that records consent
// when it is let through (the first call only speaks).
func routeHooks(t *testing.T) map[string]webhook {
	return map[string]webhook{
		"voice":  {path: "/twilio/voice", form: fixture(t, "voice-incoming")},
		"step":   {path: stepPath("v1.d.2.a0.r0"), form: with(fixture(t, "voice-gather-digits"), "Digits", "1")},
		"sms":    {path: "/twilio/sms", form: with(fixture(t, "sms-keyword"), "Body", "STOP")},
		"status": {path: "/twilio/status", form: fixture(t, "status-21610")},
	}
}

func TestSignatureOnEveryRoute(t *testing.T) {
	cases := []struct {
		name    string
		request func(w webhook) *http.Request
		want    int
	}{
		{"a request signed as Twilio does is served", func(w webhook) *http.Request { return w.signed() }, http.StatusOK},
		{"Twilio signing the URL with :443 is served", func(w webhook) *http.Request {
			return w.signedWith(testToken, "https://optin.example:443"+w.path)
		}, http.StatusOK},
		{"a proxy's Host header does not matter", func(w webhook) *http.Request {
			r := w.signed()
			r.Host = "10.0.0.7:8080"
			return r
		}, http.StatusOK},
		{"no signature is refused", func(w webhook) *http.Request { return w.unsigned() }, http.StatusForbidden},
		{"a signature made with another token is refused", func(w webhook) *http.Request {
			return w.signedWith("not-the-token", testPublicURL+w.path)
		}, http.StatusForbidden},
		{"a signature for another host is refused", func(w webhook) *http.Request {
			return w.signedWith(testToken, "https://evil.example"+w.path)
		}, http.StatusForbidden},
		{"a tampered body parameter is refused", func(w webhook) *http.Request {
			sig := Signature(testToken, testPublicURL+w.path, w.form)
			r := webhook{path: w.path, form: with(w.form, "From", "+14158675309")}.unsigned()
			r.Header.Set("X-Twilio-Signature", sig)
			return r
		}, http.StatusForbidden},
		{"an added body parameter is refused", func(w webhook) *http.Request {
			sig := Signature(testToken, testPublicURL+w.path, w.form)
			r := webhook{path: w.path, form: with(w.form, "Digits", "9")}.unsigned()
			r.Header.Set("X-Twilio-Signature", sig)
			return r
		}, http.StatusForbidden},
		{"a tampered query is refused", func(w webhook) *http.Request {
			sig := Signature(testToken, testPublicURL+w.path, w.form)
			r := webhook{path: w.path + tamperedQuery(w.path), form: w.form}.unsigned()
			r.Header.Set("X-Twilio-Signature", sig)
			return r
		}, http.StatusForbidden},
		{"a GET is not a webhook", func(w webhook) *http.Request {
			r := w.signed()
			r.Method = http.MethodGet
			return r
		}, http.StatusNotFound},
	}
	for route, hook := range routeHooks(t) {
		e := newEnv(t)
		for _, tc := range cases {
			t.Run(route+"/"+tc.name, func(t *testing.T) {
				before := e.countEvents()
				res := serve(e.router, tc.request(hook))
				assert.Equal(t, tc.want, res.Code)
				if tc.want == http.StatusForbidden {
					assert.Empty(t, res.Body.String(), "a refusal carries no detail")
				}
				if tc.want != http.StatusOK {
					assert.Equal(t, before, e.countEvents(), "a refused request records nothing")
				}
			})
		}
	}
}

// tamperedQuery changes a path's query: a different step, or one added where none was.
func tamperedQuery(path string) string {
	if strings.Contains(path, "?") {
		return "&s=stop"
	}
	return "?s=stop"
}

func TestSignaturePortVariants(t *testing.T) {
	form := fixture(t, "status-delivered")
	cases := []struct {
		name      string
		publicURL string
		signedURL string
	}{
		{"https without port, signed with :443", "https://optin.example", "https://optin.example:443/twilio/status"},
		{"https with :443, signed without port", "https://optin.example:443", "https://optin.example/twilio/status"},
		{"http without port, signed with :80", "http://optin.example", "http://optin.example:80/twilio/status"},
		{"http with :80, signed without port", "http://optin.example:80", "http://optin.example/twilio/status"},
		{"a custom port signed as configured", "http://127.0.0.1:8080", "http://127.0.0.1:8080/twilio/status"},
		{"a trailing slash on the public URL", "https://optin.example/", "https://optin.example/twilio/status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestRouter(NewHandler(Config{PublicURL: tc.publicURL, AuthToken: testToken}, noBusinesses{}, nil))
			res := serve(e, webhook{path: "/twilio/status", form: form}.signedWith(testToken, tc.signedURL))
			assert.Equal(t, http.StatusOK, res.Code)
		})
	}
}

func TestSignatureTokens(t *testing.T) {
	const sub, subToken = "AC00000000000000000000000000000001", "0f0e0d0c0b0a09080706050403020100"
	cases := []struct {
		name    string
		cfg     Config
		account string
		token   string
		want    int
	}{
		{"a sub-account signs with its own token", Config{AuthToken: testToken, AuthTokens: map[string]string{sub: subToken}}, sub, subToken, http.StatusOK},
		{"a sub-account signed with the main token is still Twilio", Config{AuthToken: testToken, AuthTokens: map[string]string{sub: subToken}}, sub, testToken, http.StatusOK},
		{"the main account cannot use a sub-account's token", Config{AuthToken: testToken, AuthTokens: map[string]string{sub: subToken}}, testAccount, subToken, http.StatusForbidden},
		{"only per-account tokens configured", Config{AuthTokens: map[string]string{sub: subToken}}, sub, subToken, http.StatusOK},
		{"no token configured refuses everything", Config{}, testAccount, "", http.StatusForbidden},
		{"an empty per-account token is never used", Config{AuthTokens: map[string]string{testAccount: ""}}, testAccount, "", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.PublicURL = testPublicURL
			e := newTestRouter(NewHandler(tc.cfg, noBusinesses{}, nil))
			w := webhook{path: "/twilio/status", form: with(fixture(t, "status-delivered"), "AccountSid", tc.account)}
			assert.Equal(t, tc.want, serve(e, w.signedWith(tc.token, testPublicURL+w.path)).Code)
		})
	}
}

func TestSignatureJSONBody(t *testing.T) {
	e := newTestRouter(NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken}, noBusinesses{}, nil))
	body := `{"MessageSid":"SM5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f6a","MessageStatus":"delivered"}`
	sum := sha256.Sum256([]byte(body))
	path := "/twilio/status?bodySHA256=" + hex.EncodeToString(sum[:])
	sig := Signature(testToken, testPublicURL+path, url.Values{})
	request := func(b string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Twilio-Signature", sig)
		return r
	}
	assert.Equal(t, http.StatusOK, serve(e, request(body)).Code, "the signed body")
	assert.Equal(t, http.StatusForbidden, serve(e, request(strings.Replace(body, "delivered", "failed", 1))).Code, "a tampered body")
}

func TestBodyLimit(t *testing.T) {
	e := newTestRouter(NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken}, noBusinesses{}, nil))
	hooks := map[string]webhook{
		"voice":  {path: "/twilio/voice", form: fixture(t, "voice-incoming")},
		"step":   {path: stepPath("v1.m.0.a0.r0"), form: fixture(t, "voice-gather-digits")},
		"sms":    {path: "/twilio/sms", form: fixture(t, "sms-keyword")},
		"status": {path: "/twilio/status", form: fixture(t, "status-delivered")},
	}
	for route, hook := range hooks {
		t.Run(route, func(t *testing.T) {
			padding := maxBodyBytes - len(hook.form.Encode()) - len("&Pad=")
			atLimit := webhook{path: hook.path, form: with(hook.form, "Pad", strings.Repeat("x", padding))}
			assert.Len(t, atLimit.form.Encode(), maxBodyBytes)
			assert.Equal(t, http.StatusOK, serve(e, atLimit.signed()).Code, "a body of exactly 64 KiB")

			over := webhook{path: hook.path, form: with(hook.form, "Pad", strings.Repeat("x", padding+1))}
			assert.Equal(t, http.StatusRequestEntityTooLarge, serve(e, over.signed()).Code, "one byte more")

			chunked := over.signed()
			chunked.ContentLength = -1
			assert.Equal(t, http.StatusRequestEntityTooLarge, serve(e, chunked).Code, "one byte more, length unknown")
		})
	}
}

func TestExportedSignerMatchesTwilio(t *testing.T) {
	form := fixture(t, "sms-keyword")
	target := testPublicURL + "/twilio/sms"
	sig := Signature(testToken, target, form)
	assert.Equal(t, Signature(testToken, target, form), sig)
	e := newTestRouter(NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken}, noBusinesses{}, nil))
	r := webhook{path: "/twilio/sms", form: form}.unsigned()
	r.Header.Set("X-Twilio-Signature", sig)
	assert.Equal(t, http.StatusOK, serve(e, r).Code)
}
