package twilio

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// signal records what a status callback says about delivering to its recipient: WhatsApp's
// own stop (63033), a held-back marketing message (63049), an unreachable number (63014).
// A signal never changes consent; the send decision reads it beside consent. Each message
// gives one signal, however often Twilio calls back.
func (h *Handler) signal(c *gin.Context, f statusForm, b consent.Business, phone string, kind consent.SignalKind) {
	ctx := c.Request.Context()
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
