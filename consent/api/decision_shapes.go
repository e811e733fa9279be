package api

import (
	"time"

	"github.com/optin/optin/consent"
)

// The JSON shapes of the send decision (DESIGN §5 Decision).

type decisionsBody struct {
	Data []decisionJSON `json:"data"`
}

type decisionJSON struct {
	Phone              string               `json:"phone"`
	Category           string               `json:"category"`
	Channel            consent.Channel      `json:"channel"`
	Allowed            bool                 `json:"allowed"`
	Reasons            []decisionReasonJSON `json:"reasons"`
	Consent            *consentJSON         `json:"consent"`
	ServiceWindowUntil *time.Time           `json:"service_window_until"`
}

type decisionReasonJSON struct {
	Code   consent.DecisionCode `json:"code"`
	Detail string               `json:"detail"`
}

func toDecisionJSON(d consent.Decision) decisionJSON {
	out := decisionJSON{Phone: d.Phone, Category: d.Category, Channel: d.Channel, Allowed: d.Allowed,
		Reasons: make([]decisionReasonJSON, len(d.Reasons)), ServiceWindowUntil: d.ServiceWindowUntil}
	for i, r := range d.Reasons {
		out.Reasons[i] = decisionReasonJSON{Code: r.Code, Detail: r.Detail}
	}
	if d.Consent != nil {
		c := toConsentJSON(*d.Consent)
		out.Consent = &c
	}
	return out
}

func toDecisionsJSON(ds []consent.Decision) []decisionJSON {
	out := make([]decisionJSON, len(ds))
	for i, d := range ds {
		out[i] = toDecisionJSON(d)
	}
	return out
}
