package postgres

import (
	"fmt"
	"regexp"

	"github.com/optin/optin/consent"
)

// e164Re is the shape the ledger accepts for a phone, as the table's CHECK does.
var e164Re = regexp.MustCompile(`^\+[1-9][0-9]{3,14}$`)

// validateEvent refuses an event the ledger must never hold, with consent.ErrInvalid.
func validateEvent(e consent.Event) error {
	var problem string
	switch {
	case e.BusinessID == "":
		problem = "no business"
	case !e164Re.MatchString(e.Phone):
		problem = fmt.Sprintf("phone %q is not E.164", e.Phone)
	case e.Category == "":
		problem = "no category"
	case !e.Action.Valid():
		problem = fmt.Sprintf("unknown action %q", e.Action)
	case !e.Channel.Valid():
		problem = fmt.Sprintf("unknown channel %q", e.Channel)
	case !e.Reason.Valid():
		problem = fmt.Sprintf("unknown reason %q", e.Reason)
	case e.IdempotencyKey == "":
		problem = "no idempotency key"
	case e.OccurredAt.IsZero():
		problem = "no time of occurrence"
	case e.Action == consent.ActionOptIn && (e.Disclosure == nil || e.Disclosure.Text == ""):
		problem = "an opt-in without the disclosure it answered"
	case !consent.StorableText(e.Input) || !consent.StorableText(e.ProviderRef) || !consent.StorableText(e.IdempotencyKey) ||
		!consent.StorableText(e.Category):
		problem = "text with a NUL character or invalid UTF-8 (store consent.StoredText and keep the raw bytes in the evidence)"
	case unstorableEvidence(e.Evidence):
		problem = "evidence with a NUL character or invalid UTF-8"
	case e.Disclosure != nil:
		return validateDisclosure(e.BusinessID, *e.Disclosure)
	}
	if problem != "" {
		return fmt.Errorf("event %q: %s: %w", e.IdempotencyKey, problem, consent.ErrInvalid)
	}
	return nil
}

// validateDisclosure refuses a disclosure of another business, on an unknown channel, or
// whose hash does not match its text.
func validateDisclosure(businessID string, d consent.Disclosure) error {
	var problem string
	switch {
	case d.Text == "":
		problem = "no text"
	case !consent.StorableText(d.Text) || !consent.StorableText(d.Language):
		problem = "text with a NUL character or invalid UTF-8"
	case d.BusinessID != "" && d.BusinessID != businessID:
		problem = fmt.Sprintf("belongs to business %s", d.BusinessID)
	case d.Channel != "" && !d.Channel.Valid():
		problem = fmt.Sprintf("unknown channel %q", d.Channel)
	case d.SHA256 != "" && d.SHA256 != consent.NewDisclosure(businessID, d.Channel, d.Language, d.Text).SHA256:
		problem = "sha256 does not match the text"
	}
	if problem != "" {
		return fmt.Errorf("disclosure: %s: %w", problem, consent.ErrInvalid)
	}
	return nil
}

func unstorableEvidence(ev map[string]any) bool {
	_, bad := consent.UnstorableIn("evidence", ev)
	return bad
}
