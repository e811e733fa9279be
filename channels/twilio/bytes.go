package twilio

import (
	"encoding/base64"
	"maps"

	"github.com/optin/optin/consent"
)

// rawBase64Key is the evidence field that keeps, base64, the raw bytes of every field whose
// text had to be made storable (a NUL or invalid UTF-8 in a body or a button payload).
const rawBase64Key = "RawBase64"

// storable returns e with its input and evidence made storable as text. Whatever bytes a
// message holds, its decision is recorded: the stored input is the text with each NUL and
// invalid byte replaced by U+FFFD, and the raw bytes stay in the evidence.
func storable(e consent.Event) consent.Event {
	raw := map[string]any{}
	if !consent.StorableText(e.Input) {
		raw["Input"] = base64.StdEncoding.EncodeToString([]byte(e.Input))
		e.Input = consent.StoredText(e.Input)
	}
	for k, v := range e.Evidence {
		if s, ok := v.(string); ok && !consent.StorableText(s) {
			raw[k] = base64.StdEncoding.EncodeToString([]byte(s))
		}
	}
	if len(raw) == 0 {
		return e // the usual case: nothing copied
	}
	ev := maps.Clone(e.Evidence) // shared by the message's other events
	if ev == nil {
		ev = map[string]any{}
	}
	for k := range raw {
		if s, ok := ev[k].(string); ok {
			ev[k] = consent.StoredText(s)
		}
	}
	ev[rawBase64Key] = raw
	e.Evidence = ev
	return e
}

// maxIDLength bounds a provider id; Twilio's are 34 characters.
const maxIDLength = 64

// validID reports whether a provider id (MessageSid, CallSid, AccountSid) is printable ASCII
// of a sane length. An id is a key, not evidence: one that is not is refused, never stored
// altered.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// validIDs reports whether a webhook's own id and its AccountSid, when sent, are valid ids.
func validIDs(sid, accountSid string) bool {
	return validID(sid) && (accountSid == "" || validID(accountSid))
}

// storableEvidence returns evidence the store can hold, as storable makes an event's: text
// that is not valid UTF-8 or holds NUL is made valid, its raw bytes kept in base64.
func storableEvidence(ev map[string]any) map[string]any {
	return storable(consent.Event{Evidence: ev}).Evidence
}
