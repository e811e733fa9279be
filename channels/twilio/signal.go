package twilio

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// signal records what a status callback says about delivering to its recipient: WhatsApp's
// own stop (63033), a held-back marketing message (63049), an unreachable number (63014).
// A signal never changes consent; the send decision reads it beside consent. Each message
// gives one signal, however often Twilio calls back.
func (h *Handler) signal(c *gin.Context, f statusForm, kind consent.SignalKind) {
	ctx := c.Request.Context()
	if !validIDs(f.sid(), f.AccountSid) {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	// On an outbound message's callback From is the business and To the recipient.
	b, err := h.businessFor(c, f.From)
	if err != nil {
		h.storeFailed(c, "status callback: find business", err)
		return
	}
	if b == nil {
		h.writeMessage(c, "")
		return
	}
	phone, err := h.phones.normalize(f.To, b.Region)
	if err != nil {
		h.log.InfoContext(ctx, "status callback: recipient is not a phone number", "business", b.ID, "sid", f.sid())
		h.writeMessage(c, "")
		return
	}
	sctx, cancel := context.WithTimeout(ctx, h.cfg.StoreTimeout)
	defer cancel()
	sg, fresh, err := h.store.RecordSignal(sctx, consent.Signal{
		BusinessID: b.ID, Phone: phone, Kind: kind, Channel: statusChannel(f), Sender: consent.StoredText(f.From),
		ErrorCode: consent.StoredText(f.ErrorCode), ProviderRef: f.sid(),
		Evidence: storableEvidence(map[string]any{"AccountSid": f.AccountSid, "From": f.From, "To": f.To,
			"MessageStatus": f.MessageStatus, "ErrorCode": f.ErrorCode}),
	})
	if err != nil {
		h.storeFailed(c, "status callback: record signal", err)
		return
	}
	if fresh {
		h.log.InfoContext(ctx, "platform signal recorded", "business", b.ID, "phone", consent.MaskPhone(phone),
			"kind", sg.Kind, "sid", f.sid())
	}
	h.writeMessage(c, "")
}
