package twilio

import (
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// voiceStepPath is the <Gather> action route, relative to /twilio. The flow position
// travels in its query, which Twilio signs, so any replica can answer the next step.
const voiceStepPath = "/voice/step"

// Query keys of the step URL.
const (
	queryStep    = "s"       // the flows' step token
	queryAttempt = "a"       // how many times this step has been asked
	queryTimeout = "timeout" // present on the <Redirect> that follows a silent <Gather>
)

// callTurn is one verified request of a call: the first answer or a step after it.
type callTurn struct {
	form     voiceForm
	business consent.Business
	caller   string // E.164, empty when withheld or not a phone number
	machine  bool   // answered by a machine or a fax
	step     string // empty on the first request
	attempt  int
	timeout  bool
}

// voice answers an incoming call with the IVR's first step.
func (h *Handler) voice(c *gin.Context) { h.call(c, false) }

// voiceStep answers a <Gather> action or the <Redirect> that follows a silent one.
func (h *Handler) voiceStep(c *gin.Context) { h.call(c, true) }

// call runs one IVR step. Whatever fails, the caller hears TwiML with HTTP 200: Twilio
// would otherwise play its own error message or drop the call.
func (h *Handler) call(c *gin.Context, isStep bool) {
	ctx := c.Request.Context()
	var f voiceForm
	if err := bindForm(c, &f); err != nil {
		h.writeVoice(c, apologyReply(""))
		return
	}
	b, err := h.businessFor(c, f.To)
	if err != nil {
		h.log.ErrorContext(ctx, "call: find business", "err", err)
		h.writeVoice(c, apologyReply(""))
		return
	}
	if b == nil {
		h.writeVoice(c, notConfiguredReply())
		return
	}
	turn := callTurn{form: f, business: *b, machine: f.machine()}
	if isStep {
		q := c.Request.URL.Query()
		turn.step, turn.timeout = q.Get(queryStep), q.Has(queryTimeout)
		turn.attempt, _ = strconv.Atoi(q.Get(queryAttempt))
	}
	if phone, err := consent.NormalizePhone(f.From, b.Region); err == nil {
		turn.caller = phone
	}
	reply, events, err := h.ivr(turn)
	if err != nil {
		h.log.WarnContext(ctx, "call: step refused", "business", b.ID, "call", f.CallSid, "err", err)
		h.writeVoice(c, apologyReply(b.Language))
		return
	}
	if len(events) > 0 {
		if _, err := h.store.Record(ctx, events); err != nil {
			h.log.ErrorContext(ctx, "call: record", "business", b.ID, "call", f.CallSid, "err", err)
			h.writeVoice(c, apologyReply(b.Language))
			return
		}
	}
	h.logCall(c, turn, events)
	h.writeVoice(c, reply)
}

// stepURLs returns the <Gather> action URL of a step and the URL of its silence redirect.
func (h *Handler) stepURLs(step string, attempt int) (action, timeout string) {
	q := url.Values{queryStep: {step}, queryAttempt: {strconv.Itoa(attempt)}}
	action = h.stepURL + "?" + q.Encode()
	q.Set(queryTimeout, "1")
	return action, h.stepURL + "?" + q.Encode()
}

// logCall writes one line per call step with what was recorded, the caller masked.
func (h *Handler) logCall(c *gin.Context, t callTurn, events []consent.Event) {
	recorded := make([]string, 0, len(events))
	for _, e := range events {
		recorded = append(recorded, string(e.Action)+":"+e.Category)
	}
	h.log.InfoContext(c.Request.Context(), "call step",
		"business", t.business.ID, "caller", consent.MaskPhone(t.caller), "call", t.form.CallSid,
		"digits", t.form.Digits, "timeout", t.timeout, "recorded", recorded)
}
