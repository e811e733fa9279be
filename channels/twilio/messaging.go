package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// inboundMessage is one verified inbound SMS or WhatsApp message, ready for the flows.
type inboundMessage struct {
	form     messageForm
	business consent.Business
	phone    string          // E.164 of the sender
	channel  consent.Channel // sms or whatsapp
	text     string          // the body the flows read: decoded from base64 when it was encoded
	decoded  string          // the body decoded from base64, when it was
}

// message handles an inbound SMS or WhatsApp message: the flows decide, the store commits
// the decisions, the pending disclosure and the reply in one transaction keyed by the
// MessageSid, and only then is the reply written. A redelivered MessageSid gets the
// stored reply and records nothing.
func (h *Handler) message(c *gin.Context) {
	var f messageForm
	if err := bindForm(c, &f); err != nil || !validIDs(f.sid(), f.AccountSid) {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	b, err := h.businessFor(c, f.To)
	if err != nil {
		h.storeFailed(c, "message: find business", err)
		return
	}
	if b == nil {
		h.writeMessage(c, "")
		return
	}
	in, reply, ok := h.sender(c.Request.Context(), f, *b)
	if !ok {
		h.writeMessage(c, reply)
		return
	}
	reply, err = h.answer(c, in)
	if err != nil {
		h.storeFailed(c, "message", err)
		return
	}
	h.writeMessage(c, reply)
}

// answer returns the reply to a message, committing everything it changes exactly once.
// A redelivered message is caught inside its unit, which finds the MessageSid claimed: it is
// not decided again and gets the reply stored for the first delivery. While the store does
// not answer in time, an opt-out is spooled and answered as recorded.
func (h *Handler) answer(c *gin.Context, in inboundMessage) (string, error) {
	ctx := c.Request.Context()
	if h.held(in.business.ID, in.phone) {
		return h.spoolMessage(ctx, in, errHeld)
	}
	sctx, cancel := context.WithTimeout(ctx, h.cfg.StoreTimeout)
	defer cancel()
	done, err := h.store.Commit(sctx, h.converse(in))
	if err != nil {
		if h.spool != nil && unavailable(err) {
			return h.spoolMessage(ctx, in, err)
		}
		return "", fmt.Errorf("commit: %w", err)
	}
	if !done.Fresh {
		h.log.InfoContext(ctx, "message redelivered: same reply, nothing recorded", "business", in.business.ID, "sid", in.form.sid())
		return done.Reply, nil
	}
	h.logDecisions(c, in, done)
	return done.Reply, nil
}

// sender reads who wrote and what they said. When the sender cannot give consent (a
// WhatsApp user id with no number, a withheld or invalid address) it returns ok=false and
// the reply to send instead; nothing is recorded for them.
func (h *Handler) sender(ctx context.Context, f messageForm, b consent.Business) (inboundMessage, string, bool) {
	in := inboundMessage{form: f, business: b, channel: consent.ChannelSMS, text: f.Body}
	if isWhatsApp(f.From) || isWhatsApp(f.To) {
		in.channel = consent.ChannelWhatsApp
	}
	phone, err := h.phones.normalize(f.From, b.Region)
	switch {
	case errors.Is(err, consent.ErrNoPhoneNumber):
		h.log.InfoContext(ctx, "message from a WhatsApp user id without a number", "business", b.ID, "sid", f.sid())
		return in, noNumberReply(b), false
	case err != nil:
		h.log.InfoContext(ctx, "message from an address that is no phone number", "business", b.ID, "sid", f.sid())
		return in, "", false
	}
	in.phone = phone
	if text, ok := decodeBody(f.Body); ok {
		in.text, in.decoded = text, text
	}
	return in, "", true
}

// evidence is the structured proof kept with every event of a message.
func (in inboundMessage) evidence() map[string]any {
	ev := map[string]any{"AccountSid": in.form.AccountSid, "From": in.form.From, "To": in.form.To}
	if in.decoded != "" {
		ev["DecodedBody"] = in.decoded
	}
	if in.form.ButtonText != "" || in.form.ButtonPayload != "" {
		ev["ButtonText"], ev["ButtonPayload"] = in.form.ButtonText, in.form.ButtonPayload
	}
	if in.form.OptOutType != "" {
		ev["OptOutType"] = in.form.OptOutType
	}
	return ev
}

// logDecisions writes one line per message with what was decided, the phone masked.
func (h *Handler) logDecisions(c *gin.Context, in inboundMessage, commit consent.Committed) {
	actions := make([]string, 0, len(commit.Events))
	for _, e := range commit.Events {
		actions = append(actions, string(e.Action)+":"+e.Category)
	}
	h.log.InfoContext(c.Request.Context(), "message handled",
		"business", in.business.ID, "phone", consent.MaskPhone(in.phone), "channel", in.channel,
		"sid", in.form.sid(), "decisions", strings.Join(actions, ","), "replied", commit.Reply != "")
}
