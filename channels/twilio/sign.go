package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/url"
	"sort"
)

// Signature computes X-Twilio-Signature as Twilio does for a form POST: base64 of the
// HMAC-SHA1, keyed by the auth token, of the full URL followed by every POST parameter sorted
// by name, as name+value. Clients that play Twilio (the simulator, the load generator) sign
// with it; the webhooks themselves verify with twilio-go's validator.
func Signature(token, fullURL string, form url.Values) string {
	return base64.StdEncoding.EncodeToString(signatureMAC(token, fullURL, form, true))
}

// signatureMAC is the HMAC-SHA1 Twilio signs with: the URL, then each POST parameter's name
// and value, sorted by name; every value of a repeated name, or only the first, as twilio-go's
// validator does.
func signatureMAC(token, fullURL string, form url.Values, everyValue bool) []byte {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mac := hmac.New(sha1.New, []byte(token))
	io.WriteString(mac, fullURL)
	for _, k := range keys {
		values := form[k]
		if !everyValue {
			values = values[:1]
		}
		for _, v := range values {
			io.WriteString(mac, k)
			io.WriteString(mac, v)
		}
	}
	return mac.Sum(nil)
}
