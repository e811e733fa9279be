package twilio

import (
	"sync"

	"github.com/optin/optin/consent"
)

// phoneMemoSize bounds the remembered addresses; when full, the memo starts over.
const phoneMemoSize = 4096

// phoneMemo remembers how recent caller and sender addresses normalised. Parsing a number
// is a good part of a webhook's own work, and the same person comes back at once: every step
// of a call, every message of a conversation.
type phoneMemo struct {
	mu sync.Mutex
	by map[phoneKey]phoneResult
}

type phoneKey struct{ raw, region string }

type phoneResult struct {
	e164 string
	err  error
}

func newPhoneMemo() *phoneMemo { return &phoneMemo{by: map[phoneKey]phoneResult{}} }

// normalize is consent.NormalizePhone, remembered.
func (m *phoneMemo) normalize(raw, region string) (string, error) {
	k := phoneKey{raw, region}
	m.mu.Lock()
	r, ok := m.by[k]
	m.mu.Unlock()
	if ok {
		return r.e164, r.err
	}
	e164, err := consent.NormalizePhone(raw, region)
	m.mu.Lock()
	if len(m.by) >= phoneMemoSize {
		clear(m.by)
	}
	m.by[k] = phoneResult{e164, err}
	m.mu.Unlock()
	return e164, err
}
