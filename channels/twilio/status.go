package twilio

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// errorOptedOut is Twilio's error code for a send to a number that has opted out at Twilio.
const errorOptedOut = "21610"

// status handles message status callbacks. ErrorCode 21610 means the recipient opted out at
// Twilio, so they are opted out of every category here too; 63033, 63049 and 63014 are
// platform signals, recorded apart from consent (see signal). Every other status is
// acknowledged and ignored.
func (h *Handler) status(c *gin.Context) {
	ctx := c.Request.Context()
	var f statusForm
	if err := bindForm(c, &f); err != nil || f.sid() == "" {
		h.writeMessage(c, "")
		return
	}
	kind, isSignal := consent.SignalOfErrorCode(f.ErrorCode)
	if !isSignal && f.ErrorCode != errorOptedOut {
		h.writeMessage(c, "")
		return
	}
	b, phone, ok := h.recipient(c, f)
	if !ok {
		return
	}
	if isSignal {
		h.signal(c, f, *b, phone, kind)
		return
	}
	var err error
	var done consent.Committed
	if h.held(b.ID, phone) {
		err = errHeld
	} else {
		sctx, cancel := context.WithTimeout(ctx, h.cfg.StoreTimeout)
		done, err = h.store.Commit(sctx, providerOptOut(f, *b, phone, statusChannel(f)))
		cancel()
	}
	if err != nil && unavailable(err) {
		err = h.spoolStatus(ctx, f, *b, phone, err)
		if err == nil {
			h.writeMessage(c, "")
			return
		}
	}
	if err != nil {
		h.storeFailed(c, "status callback: record provider opt-out", err)
		return
	}
	if len(done.Events) > 0 {
		h.log.InfoContext(ctx, "provider opt-out recorded", "business", b.ID, "phone", consent.MaskPhone(phone), "sid", f.sid())
	}
	h.writeMessage(c, "")
}

// providerOptOut is the write of a 21610 callback: an opt-out of every category the
// recipient has not opted out of yet, decided on their committed consent. Every later send to
// a number opted out at Twilio fails with 21610 again, and only the first needs recording.
func providerOptOut(f statusForm, b consent.Business, phone string, ch consent.Channel) consent.Write {
	return consent.Write{BusinessID: b.ID, Phone: phone, Decide: func(st consent.State) consent.Outcome {
		var events []consent.Event
		for _, key := range notOptedOut(b, st.Consents) {
			events = append(events, storable(consent.Event{
				BusinessID: b.ID, Phone: phone, Category: key, Action: consent.ActionOptOut,
				Channel: ch, Reason: consent.ReasonProviderOptOut, Input: f.ErrorCode,
				ProviderRef: f.sid(), OccurredAt: st.Now,
				Evidence:       map[string]any{"AccountSid": f.AccountSid, "From": f.From, "To": f.To, "MessageStatus": f.MessageStatus, "ErrorCode": f.ErrorCode},
				IdempotencyKey: "status:" + f.sid() + ":" + key,
			}))
		}
		return consent.Outcome{Events: events}
	}}
}

// recipient finds the business that sent the message a status callback is about and the
// person it was sent to. When there is nothing to record (no business has the number, the
// recipient is no phone number) or the ids are malformed, it answers the callback itself and
// reports false.
func (h *Handler) recipient(c *gin.Context, f statusForm) (*consent.Business, string, bool) {
	if !validIDs(f.sid(), f.AccountSid) {
		c.AbortWithStatus(http.StatusBadRequest)
		return nil, "", false
	}
	// On an outbound message's callback From is the business and To the recipient.
	b, err := h.businessFor(c, f.From)
	if err != nil {
		h.storeFailed(c, "status callback: find business", err)
		return nil, "", false
	}
	if b == nil {
		h.writeMessage(c, "")
		return nil, "", false
	}
	phone, err := h.phones.normalize(f.To, b.Region)
	if err != nil {
		h.log.InfoContext(c.Request.Context(), "status callback: recipient is not a phone number", "business", b.ID, "sid", f.sid())
		h.writeMessage(c, "")
		return nil, "", false
	}
	return b, phone, true
}

// statusChannel is the channel a status callback is about.
func statusChannel(f statusForm) consent.Channel {
	if isWhatsApp(f.To) {
		return consent.ChannelWhatsApp
	}
	return consent.ChannelSMS
}

// notOptedOut returns the categories of b the consents do not opt out of.
func notOptedOut(b consent.Business, current []consent.Consent) []string {
	out := make([]string, 0, len(b.Categories))
	for _, key := range b.CategoryKeys() {
		if !slices.ContainsFunc(current, func(x consent.Consent) bool {
			return x.Category == key && x.Status == consent.StatusOptedOut
		}) {
			out = append(out, key)
		}
	}
	return out
}

// businessFor finds the business owning a Twilio address. It returns nil, nil when the
// address is no business's number, and an error only when the store failed.
func (h *Handler) businessFor(c *gin.Context, addr string) (*consent.Business, error) {
	b, err := h.businesses.lookup(c.Request.Context(), addr)
	switch {
	case errors.Is(err, consent.ErrInvalidPhone):
		return nil, nil
	case errors.Is(err, consent.ErrNotFound):
		h.log.WarnContext(c.Request.Context(), "webhook for a number no business owns", "number", consent.MaskPhone(addr))
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &b, nil
}

// storeFailed answers a messaging webhook whose store work failed with 503, so Twilio
// tries its fallback URL; no detail leaves the service.
func (h *Handler) storeFailed(c *gin.Context, doing string, err error) {
	h.log.ErrorContext(c.Request.Context(), doing, "err", err)
	c.AbortWithStatus(http.StatusServiceUnavailable)
}
