package twilio

import (
	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/flows"
)

// converse reads the sender's pending disclosure and consent, lets the flows decide, and
// returns everything the message changes, ready to commit exactly once.
func (h *Handler) converse(c *gin.Context, in inboundMessage) (consent.Inbound, error) {
	ctx := c.Request.Context()
	b := in.business
	pending, err := h.store.Pending(ctx, b.ID, in.phone)
	if err != nil {
		return consent.Inbound{}, err
	}
	consents, err := h.store.ConsentsOf(ctx, b.ID, in.phone)
	if err != nil {
		return consent.Inbound{}, err
	}
	out := flows.HandleMessage(flows.MessageInput{
		Business:      b,
		Phone:         in.phone,
		Channel:       in.channel,
		Text:          in.text,
		ButtonPayload: in.form.ButtonPayload,
		ButtonText:    in.form.ButtonText,
		Pending:       pending,
		Consents:      consents,
		OptOutType:    in.form.OptOutType,
		Now:           h.cfg.Clock().UTC(),
	})
	return consent.Inbound{
		BusinessID:     b.ID,
		Phone:          in.phone,
		Channel:        in.channel,
		ProviderRef:    in.form.sid(),
		Reply:          out.Reply,
		Events:         messageEvents(in, out.Decisions),
		Pending:        out.Pending,
		PendingChanged: out.PendingChanged,
	}, nil
}

// messageEvents turns the decisions about one message into ledger events, keyed by
// MessageSid + category. The input is the body exactly as received; a body decoded from
// base64 is kept beside it in the evidence.
func messageEvents(in inboundMessage, decisions []flows.Decision) []consent.Event {
	if len(decisions) == 0 {
		return nil
	}
	base := consent.Event{
		BusinessID:  in.business.ID,
		Phone:       in.phone,
		Channel:     in.channel,
		ProviderRef: in.form.sid(),
		Evidence:    in.evidence(),
	}
	events := make([]consent.Event, 0, len(decisions))
	for _, d := range decisions {
		e := d.Event(base)
		if in.decoded != "" && e.Input == in.decoded {
			e.Input = in.form.Body
		}
		e.IdempotencyKey = "msg:" + in.form.sid() + ":" + d.Category
		events = append(events, e)
	}
	return events
}
