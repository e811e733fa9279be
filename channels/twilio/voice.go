package twilio

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// voiceStepPath is the <Gather> action route, relative to /twilio. The flow position
// travels in its query, which Twilio signs, so any replica can answer the next step.
const voiceStepPath = "/voice/step"

// Query keys of the step URL.
const (
	queryStep    = "s"       // the flows' step token; it carries the attempt count itself
	queryTimeout = "timeout" // present on the <Redirect> that follows a silent <Gather>
)

// callTurn is one verified request of a call: the first answer or a step after it.
type callTurn struct {
	form     voiceForm
	business consent.Business
	caller   string // E.164, empty when withheld or not a phone number
	machine  bool   // answered by a machine or a fax
	step     string // empty on the first request
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
	defer func() {
		if r := recover(); r != nil {
			h.log.ErrorContext(ctx, "call: panic", "panic", r)
			h.writeVoice(c, apologyReply(""))
		}
	}()
	turn, early := h.callTurn(c, isStep)
	if early != nil {
		h.writeVoice(c, *early)
		return
	}
	reply, events := h.ivr(c, turn)
	if len(events) > 0 {
		if err := h.recordKeyPress(ctx, turn, events); err != nil {
			h.log.ErrorContext(ctx, "call: record", "business", turn.business.ID, "call", turn.form.CallSid, "err", err)
			h.writeVoice(c, apologyReply(turn.business.Language))
			return
		}
	}
	h.logCall(c, turn, events)
	h.writeVoice(c, reply)
}

// callTurn reads the request of a call. When the IVR cannot run (no business owns the
// number, the store failed, the form is not a call) it returns what to say instead.
func (h *Handler) callTurn(c *gin.Context, isStep bool) (callTurn, *voiceReply) {
	var f voiceForm
	if err := bindForm(c, &f); err != nil || !validIDs(f.CallSid, f.AccountSid) {
		return callTurn{}, ptr(apologyReply(""))
	}
	businessAddr, personAddr := f.To, f.From
	if strings.HasPrefix(f.Direction, "outbound") {
		// A call the business placed (where machine detection applies): the person was called.
		businessAddr, personAddr = f.From, f.To
	}
	b, err := h.businessFor(c, businessAddr)
	if err != nil {
		h.log.ErrorContext(c.Request.Context(), "call: find business", "err", err)
		return callTurn{}, ptr(apologyReply(""))
	}
	if b == nil {
		return callTurn{}, ptr(notConfiguredReply())
	}
	turn := callTurn{form: f, business: *b, machine: f.machine()}
	if isStep {
		q := c.Request.URL.Query()
		turn.step, turn.timeout = q.Get(queryStep), q.Has(queryTimeout)
	}
	if phone, err := h.phones.normalize(personAddr, b.Region); err == nil {
		turn.caller = phone
	}
	return turn, nil
}

// recordKeyPress records what a key press decided. While the store does not answer in
// time, a stop is spooled and confirmed as recorded; anything else fails.
func (h *Handler) recordKeyPress(ctx context.Context, t callTurn, events []consent.Event) error {
	err := errHeld
	if !h.held(t.business.ID, t.caller) {
		sctx, cancel := context.WithTimeout(ctx, h.cfg.StoreTimeout)
		_, err = h.store.Commit(sctx, keyPress(t, events))
		cancel()
	}
	if err != nil && unavailable(err) {
		return h.spoolCall(ctx, t, events, err)
	}
	return err
}

// keyPress is the write of a key press that records something: what was pressed decides it,
// not the caller's state, but it is recorded in the caller's unit, stamped with its time, so
// it takes its place among the caller's other writes in time order and ledger order alike.
func keyPress(t callTurn, events []consent.Event) consent.Write {
	return consent.Write{BusinessID: t.business.ID, Phone: t.caller, Decide: func(st consent.State) consent.Outcome {
		return consent.Outcome{Events: stamped(events, st.Now)}
	}}
}

// stamped returns a copy of events, each occurring at now.
func stamped(events []consent.Event, now time.Time) []consent.Event {
	out := make([]consent.Event, len(events))
	for i, e := range events {
		e.OccurredAt = now
		out[i] = e
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// stepURLs returns the <Gather> action URL of a step and the URL of its silence redirect.
func (h *Handler) stepURLs(step string) (action, timeout string) {
	q := url.Values{queryStep: {step}}
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
