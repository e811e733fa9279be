package twilio

import (
	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/flows"
)

// ivr runs the flows' IVR step for one request of a call and returns the TwiML reply and
// the ledger events to record before it is sent.
func (h *Handler) ivr(c *gin.Context, t callTurn) (voiceReply, []consent.Event) {
	out := flows.IVRStep(flows.IVRInput{
		Business: t.business,
		Caller:   t.caller,
		Withheld: t.caller == "",
		Machine:  t.machine,
		Step:     t.step,
		Digits:   t.form.Digits,
		Timeout:  t.timeout,
		Now:      h.cfg.Clock().UTC(),
	})
	if out.Restarted {
		h.log.WarnContext(c.Request.Context(), "call: step token refused, back to the menu",
			"business", t.business.ID, "call", t.form.CallSid)
	}
	reply := voiceReply{Hangup: out.Hangup}
	for _, p := range out.Prompts {
		reply.Prompts = append(reply.Prompts, voicePrompt{Text: p.Text, Language: p.Language})
	}
	if out.Gather != nil {
		action, timeout := h.stepURLs(out.Next)
		reply.Gather = &voiceGather{Action: action, Timeout: timeout,
			NumDigits: out.Gather.NumDigits, TimeoutSec: out.Gather.TimeoutSeconds}
	}
	return reply, callEvents(t, out.Decisions)
}

// callEvents turns the IVR's decisions into ledger events. The step token never repeats
// within a call except when Twilio delivers the same request again, so CallSid + step +
// category makes a retried step record nothing new.
func callEvents(t callTurn, decisions []flows.Decision) []consent.Event {
	if len(decisions) == 0 {
		return nil
	}
	base := consent.Event{
		BusinessID:  t.business.ID,
		Phone:       t.caller,
		Channel:     consent.ChannelIVR,
		ProviderRef: t.form.CallSid,
		Evidence:    map[string]any{"AccountSid": t.form.AccountSid, "From": t.form.From, "To": t.form.To},
	}
	events := make([]consent.Event, 0, len(decisions))
	for _, d := range decisions {
		e := d.Event(base)
		e.IdempotencyKey = "ivr:" + t.form.CallSid + ":" + t.step + ":" + d.Category
		events = append(events, storable(e))
	}
	return events
}
