package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/optin/optin/consent"
)

// cursorMACBytes is how much of the HMAC a cursor carries: enough that guessing is hopeless.
const cursorMACBytes = 16

// cursorPosition is what a consent list cursor holds: the key of the last consent returned.
type cursorPosition struct {
	Version  int    `json:"v"`
	Phone    string `json:"p"`
	Category string `json:"c"`
}

// cursorCodec turns list positions into opaque cursors and back. A cursor is bound to the
// business it was issued for: another business's key cannot use it.
type cursorCodec struct {
	secret []byte
}

func (cc cursorCodec) mac(businessID string, payload []byte) []byte {
	m := hmac.New(sha256.New, cc.secret)
	m.Write([]byte(businessID))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:cursorMACBytes]
}

// encode returns the cursor that continues a list after k.
func (cc cursorCodec) encode(businessID string, k consent.ConsentKey) string {
	payload, _ := json.Marshal(cursorPosition{Version: 1, Phone: k.Phone, Category: k.Category})
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(cc.mac(businessID, payload))
}

// decode checks a cursor and returns its position; anything not issued by encode for this
// business is consent.ErrInvalidCursor.
func (cc cursorCodec) decode(businessID, cursor string) (consent.ConsentKey, error) {
	enc := base64.RawURLEncoding
	body, sig, ok := strings.Cut(cursor, ".")
	if !ok {
		return consent.ConsentKey{}, fmt.Errorf("no signature: %w", consent.ErrInvalidCursor)
	}
	payload, err1 := enc.DecodeString(body)
	mac, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, cc.mac(businessID, payload)) {
		return consent.ConsentKey{}, fmt.Errorf("signature mismatch: %w", consent.ErrInvalidCursor)
	}
	var pos cursorPosition
	if err := json.Unmarshal(payload, &pos); err != nil || pos.Version != 1 || pos.Phone == "" || pos.Category == "" {
		return consent.ConsentKey{}, fmt.Errorf("unreadable position: %w", consent.ErrInvalidCursor)
	}
	return consent.ConsentKey{Phone: pos.Phone, Category: pos.Category}, nil
}
