package twilio

import (
	"github.com/optin/optin/consent"
	"github.com/optin/optin/flows"
)

// converse is the write of one message: decided with the flows against the sender's pending
// disclosure and consent as committed when the message's unit runs, so two messages from one
// person are never decided on the same state.
func (h *Handler) converse(in inboundMessage) consent.Write {
	b := in.business
	return consent.Write{
		BusinessID: b.ID,
		Phone:      in.phone,
		Message:    &consent.MessageRef{ProviderRef: in.form.sid(), Channel: in.channel},
		Decide: func(st consent.State) consent.Outcome {
			out := flows.HandleMessage(flows.MessageInput{
				Business:      b,
				Phone:         in.phone,
				Channel:       in.channel,
				Text:          in.text,
				ButtonPayload: in.form.ButtonPayload,
				ButtonText:    in.form.ButtonText,
				Pending:       st.Pending,
				Consents:      st.Consents,
				OptOutType:    in.form.OptOutType,
				Now:           st.Now,
			})
			return consent.Outcome{
				Reply:          out.Reply,
				Events:         messageEvents(in, out.Decisions),
				Pending:        out.Pending,
				PendingChanged: out.PendingChanged,
			}
		},
	}
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
		events = append(events, storable(e))
	}
	return events
}
