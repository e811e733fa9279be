package api

import (
	"time"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/wire"
)

// The JSON shapes of DESIGN §5, as structs so fields keep the documented order. Times are
// RFC 3339 in UTC.

type categoriesBody struct {
	Data []categoryJSON `json:"data"`
}

type consentPageBody struct {
	Data       []consentJSON `json:"data"`
	NextCursor *string       `json:"next_cursor"`
}

type phoneConsentsBody struct {
	Phone    string        `json:"phone"`
	Consents []consentJSON `json:"consents"`
}

type phoneEvidenceBody struct {
	Phone  string              `json:"phone"`
	Events []evidenceEventJSON `json:"events"`
}

type eventPageBody struct {
	Data      []wire.Event `json:"data"`
	NextAfter int64        `json:"next_after"`
}

type eventsBody struct {
	Data []wire.Event `json:"data"`
}

type categoryJSON struct {
	Key              string                   `json:"key"`
	Label            string                   `json:"label"`
	Keyword          string                   `json:"keyword"`
	Digit            int                      `json:"digit"`
	TemplateCategory consent.TemplateCategory `json:"template_category"`
}

type consentJSON struct {
	Phone     string          `json:"phone"`
	Category  string          `json:"category"`
	Status    consent.Status  `json:"status"`
	Channel   consent.Channel `json:"channel"`
	UpdatedAt time.Time       `json:"updated_at"`
	EventID   int64           `json:"event_id"`
}

type evidenceEventJSON struct {
	ID          int64           `json:"id"`
	Category    string          `json:"category"`
	Action      consent.Action  `json:"action"`
	Channel     consent.Channel `json:"channel"`
	Reason      consent.Reason  `json:"reason"`
	Input       string          `json:"input"`
	ProviderRef string          `json:"provider_ref"`
	OccurredAt  time.Time       `json:"occurred_at"`
	Disclosure  *disclosureJSON `json:"disclosure"`
	// Evidence is the structured proof kept with the event: the provider's AccountSid, From
	// and To, or the object a web or paper opt-in was sent with. Always an object.
	Evidence map[string]any `json:"evidence"`
}

type disclosureJSON struct {
	Text     string `json:"text"`
	SHA256   string `json:"sha256"`
	Language string `json:"language"`
}

func toConsentJSON(c consent.Consent) consentJSON {
	return consentJSON{Phone: c.Phone, Category: c.Category, Status: c.Status, Channel: c.Channel,
		UpdatedAt: c.UpdatedAt.UTC(), EventID: c.EventID}
}

func toConsentsJSON(cs []consent.Consent) []consentJSON {
	out := make([]consentJSON, len(cs))
	for i, c := range cs {
		out[i] = toConsentJSON(c)
	}
	return out
}

func toEventsJSON(es []consent.Event) []wire.Event {
	out := make([]wire.Event, len(es))
	for i, e := range es {
		out[i] = wire.EventOf(e)
	}
	return out
}

func toEvidenceJSON(es []consent.Event) []evidenceEventJSON {
	out := make([]evidenceEventJSON, len(es))
	for i, e := range es {
		out[i] = evidenceEventJSON{ID: e.ID, Category: e.Category, Action: e.Action, Channel: e.Channel,
			Reason: e.Reason, Input: e.Input, ProviderRef: e.ProviderRef, OccurredAt: e.OccurredAt.UTC(),
			Evidence: e.Evidence}
		if out[i].Evidence == nil {
			out[i].Evidence = map[string]any{}
		}
		if d := e.Disclosure; d != nil {
			out[i].Disclosure = &disclosureJSON{Text: d.Text, SHA256: d.SHA256, Language: d.Language}
		}
	}
	return out
}
