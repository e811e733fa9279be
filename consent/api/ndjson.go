package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/optin/optin/consent"
)

// appendConsentLine appends c as one NDJSON line, byte for byte what json.Encoder writes for
// toConsentJSON(c), without its reflection and allocations: an export writes millions.
func appendConsentLine(b []byte, c consent.Consent) ([]byte, error) {
	updated := c.UpdatedAt.UTC()
	if y := updated.Year(); y < 0 || y > 9999 {
		line, err := json.Marshal(toConsentJSON(c)) // which says what is wrong with the time
		return append(append(b, line...), '\n'), err
	}
	b = append(b, `{"phone":`...)
	b = appendJSONString(b, c.Phone)
	b = append(b, `,"category":`...)
	b = appendJSONString(b, c.Category)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(c.Status))
	b = append(b, `,"channel":`...)
	b = appendJSONString(b, string(c.Channel))
	b = append(b, `,"updated_at":"`...)
	b = updated.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","event_id":`...)
	b = strconv.AppendInt(b, c.EventID, 10)
	return append(b, "}\n"...), nil
}

// appendJSONString appends s as a JSON string the way encoding/json does, HTML characters
// escaped. Phones, keys and statuses are plain ASCII, which is copied as it is; anything else
// is left to encoding/json, so its escaping rules hold without being restated here.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSONByte(s[i]) {
			quoted, _ := json.Marshal(s) // a string always marshals
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainJSONByte reports whether c stands for itself inside a JSON string written by
// encoding/json: printable ASCII other than the quote, the backslash and <, >, &.
func plainJSONByte(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}
