package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Event is one row of the append-only consent ledger: one opt-in or opt-out of one category.
type Event struct {
	ID          int64       // assigned by the store, increasing
	BusinessID  string      // the business the consent is for
	Phone       string      // E.164
	Category    string      // category key
	Action      Action      // opt_in or opt_out
	Channel     Channel     // how it was given
	Reason      Reason      // what made the service record it
	Input       string      // digits pressed or text received, raw
	ProviderRef string      // CallSid or MessageSid, empty for API events
	Disclosure  *Disclosure // the text the person answered; required for opt-ins
	// Evidence holds structured proof beyond the columns: AccountSid, From, To, a web form's fields.
	Evidence       map[string]any
	OccurredAt     time.Time
	IdempotencyKey string // unique per business; a repeated key records nothing new
}

// Consent is the current state of one phone for one category, projected from the ledger.
type Consent struct {
	BusinessID string
	Phone      string
	Category   string
	Status     Status
	Channel    Channel   // channel of the event that set the state
	UpdatedAt  time.Time // when that event occurred
	EventID    int64     // the event that set the state
}

// Disclosure is a text spoken or sent to ask for consent, content-addressed per business.
type Disclosure struct {
	ID         int64
	BusinessID string
	Channel    Channel
	Language   string
	Text       string
	SHA256     string // hex SHA-256 of Text
}

// NewDisclosure returns a disclosure with its content hash filled in.
func NewDisclosure(businessID string, ch Channel, language, text string) Disclosure {
	sum := sha256.Sum256([]byte(text))
	return Disclosure{BusinessID: businessID, Channel: ch, Language: language, Text: text, SHA256: hex.EncodeToString(sum[:])}
}

// Pending is a disclosure sent over SMS or WhatsApp that awaits a YES.
type Pending struct {
	Categories []string   // the categories a YES would opt in to
	Disclosure Disclosure // the text that was sent
	Channel    Channel    // sms or whatsapp
	ExpiresAt  time.Time  // after this a YES no longer counts
}

// Active reports whether the pending disclosure still accepts a YES at now.
func (p *Pending) Active(now time.Time) bool {
	return p != nil && len(p.Categories) > 0 && now.Before(p.ExpiresAt)
}

// APIKey describes a business's API key; the secret itself is never stored.
type APIKey struct {
	ID         int64
	BusinessID string
	Name       string
	Prefix     string // first characters of the key, safe to show
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}
