package twilio

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/twilio/twilio-go/client"
)

// maxBodyBytes is the largest webhook body accepted. Twilio's forms are a few kilobytes;
// a larger body is not Twilio.
const maxBodyBytes = 64 << 10

const (
	signatureHeader = "X-Twilio-Signature"
	ctxRawBody      = "twilio.rawBody"
)

// limitBody reads the body once, refusing more than maxBodyBytes with 413, and restores it
// so the signature check and the form binding see the same bytes.
func (h *Handler) limitBody(c *gin.Context) {
	if c.Request.ContentLength > maxBodyBytes {
		c.AbortWithStatus(http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBodyBytes+1))
	if err != nil {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	if len(body) > maxBodyBytes {
		c.AbortWithStatus(http.StatusRequestEntityTooLarge)
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	c.Set(ctxRawBody, body)
	c.Next()
}

// verifySignature refuses, with a bare 403, any request whose X-Twilio-Signature does not
// match the public URL Twilio called and the POST parameters it sent. On success the
// parsed POST form is installed on the request, so handlers bind exactly what was signed.
func (h *Handler) verifySignature(c *gin.Context) {
	raw, _ := c.Get(ctxRawBody)
	rawBody, _ := raw.([]byte)
	form, ok := h.signedForm(c.Request, rawBody)
	if !ok {
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	c.Request.PostForm = form
	c.Request.Form = form
	c.Next()
}

// signedForm checks the request's signature and returns its POST parameters.
func (h *Handler) signedForm(r *http.Request, body []byte) (url.Values, bool) {
	sig := r.Header.Get(signatureHeader)
	if sig == "" || r.Method != http.MethodPost {
		return nil, false
	}
	// Twilio signs the URL it requested; behind a proxy only the path and query survive,
	// so the URL is the configured public base plus the raw request URI, never rebuilt.
	uri := r.RequestURI
	if uri == "" { // a request built in-process rather than read from the wire
		uri = r.URL.RequestURI()
	}
	fullURL := h.cfg.PublicURL + uri
	u, err := url.Parse(fullURL)
	if err != nil {
		return nil, false
	}
	if u.Query().Get("bodySHA256") != "" {
		// JSON-bodied callbacks sign the URL alone and carry the body's hash in it.
		for _, token := range h.tokens(u.Query().Get("AccountSid")) {
			v := client.NewRequestValidator(token)
			if v.ValidateBody(fullURL, body, sig) {
				return url.Values{}, true
			}
		}
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, false
	}
	tokens := h.tokens(form.Get("AccountSid"))
	for _, token := range tokens {
		if signedAsIs(token, fullURL, form, sig) {
			return form, true
		}
	}
	// Twilio signs some URLs with the default port added or removed; twilio-go's validator
	// tries both.
	params := make(map[string]string, len(form))
	for k, vs := range form {
		params[k] = vs[0] // Twilio's validator, like Twilio, signs the first value of a key
	}
	for _, token := range tokens {
		v := client.NewRequestValidator(token)
		if v.Validate(fullURL, params, sig) {
			return form, true
		}
	}
	return nil, false
}

// signedAsIs reports whether sig is the signature twilio-go's validator computes for fullURL
// exactly as given: the HMAC-SHA1 of the URL and each parameter's name and first value, sorted
// by name. It is the validator's own check for one of the two URLs it tries, computed in one
// pass without the validator's string building, so a valid request costs one HMAC, not two.
func signedAsIs(token, fullURL string, form url.Values, sig string) bool {
	want, err := base64.StdEncoding.DecodeString(sig)
	return err == nil && hmac.Equal(signatureMAC(token, fullURL, form, false), want)
}

// tokens lists the auth tokens to try for a request from accountSid: the account's own
// token first, then the main one. Empty tokens are never tried: an empty HMAC key would
// let anyone sign.
func (h *Handler) tokens(accountSid string) []string {
	var out []string
	if t := h.cfg.AuthTokens[accountSid]; t != "" && accountSid != "" {
		out = append(out, t)
	}
	if h.cfg.AuthToken != "" && (len(out) == 0 || out[0] != h.cfg.AuthToken) {
		out = append(out, h.cfg.AuthToken)
	}
	return out
}
