package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/spool"
	"github.com/optin/optin/flows"
)

// Spool keeps the opt-outs taken while the store does not answer in time; *spool.Spool is one.
type Spool interface {
	// Append returns once the entry is on disk.
	Append(e spool.Entry) (spool.Entry, error)
	// Holds reports whether an entry about the person waits to be replayed.
	Holds(businessID, phone string) bool
}

// Kinds of the entries this edge spools.
const (
	kindMessage = "twilio.message" // an inbound SMS or WhatsApp message that opts out
	kindStatus  = "twilio.status"  // a 21610 status callback
)

// errHeld is why a write goes to the spool although the store may answer: an earlier
// opt-out of the same person waits there, and nothing about them may overtake it.
var errHeld = errors.New("an earlier opt-out of this person waits in the spool")

// unavailable reports whether a store error means the store did not answer (refused, hung,
// too late, outcome unknown) rather than refusing the write itself.
func unavailable(err error) bool {
	return !errors.Is(err, consent.ErrInvalid) && !errors.Is(err, consent.ErrUnknownCategory) &&
		!errors.Is(err, consent.ErrNotFound)
}

// held reports whether writes about the person must go behind their spooled opt-outs.
func (h *Handler) held(businessID, phone string) bool {
	return h.spool != nil && h.spool.Holds(businessID, phone)
}

// messageEntry is what a spooled message keeps: its form, byte for byte, and the reply it was
// given, so the replay decides it exactly as its first delivery would have been and stores
// that reply for a redelivery.
type messageEntry struct {
	Form  string `json:"form"` // the webhook's form, URL-encoded
	Reply string `json:"reply"`
}

// spoolMessage takes a message while the store does not answer. An opt-out is spooled and
// gets the reply it would have had from a person with no consent recorded (the confirmation);
// anything else fails with cause, so the webhook is answered 503 and nothing is promised.
func (h *Handler) spoolMessage(ctx context.Context, in inboundMessage, cause error) (string, error) {
	out := h.preview(in)
	if h.spool == nil || !optsOut(out.Decisions) {
		return "", fmt.Errorf("store unavailable and not an opt-out: %w", cause)
	}
	payload, err := json.Marshal(messageEntry{Form: in.form.values().Encode(), Reply: out.Reply})
	if err != nil {
		return "", fmt.Errorf("spool message: %w", err)
	}
	e, err := h.spool.Append(spool.Entry{Kind: kindMessage, BusinessID: in.business.ID, Phone: in.phone, Payload: payload})
	if err != nil {
		return "", fmt.Errorf("spool message (after %v): %w", cause, err)
	}
	h.log.WarnContext(ctx, "opt-out spooled: the store did not answer", "business", in.business.ID,
		"phone", consent.MaskPhone(in.phone), "sid", in.form.sid(), "spool_id", e.ID, "cause", cause.Error())
	return out.Reply, nil
}

// preview decides a message as if nothing were recorded about its sender: what a STOP
// always is, whatever came before it.
func (h *Handler) preview(in inboundMessage) flows.MessageOutput {
	return flows.HandleMessage(flows.MessageInput{
		Business: in.business, Phone: in.phone, Channel: in.channel, Text: in.text,
		ButtonPayload: in.form.ButtonPayload, ButtonText: in.form.ButtonText,
		OptOutType: in.form.OptOutType, Now: h.cfg.Clock().UTC(),
	})
}

// optsOut reports whether decisions record an opt-out.
func optsOut(decisions []flows.Decision) bool {
	for _, d := range decisions {
		if d.Action == consent.ActionOptOut {
			return true
		}
	}
	return false
}

// spoolStatus takes a 21610 callback while the store does not answer.
func (h *Handler) spoolStatus(ctx context.Context, f statusForm, b consent.Business, phone string, cause error) error {
	if h.spool == nil {
		return cause
	}
	payload, err := json.Marshal(messageEntry{Form: f.values().Encode()})
	if err != nil {
		return fmt.Errorf("spool status callback: %w", err)
	}
	e, err := h.spool.Append(spool.Entry{Kind: kindStatus, BusinessID: b.ID, Phone: phone, Payload: payload})
	if err != nil {
		return fmt.Errorf("spool status callback (after %v): %w", cause, err)
	}
	h.log.WarnContext(ctx, "provider opt-out spooled: the store did not answer", "business", b.ID,
		"phone", consent.MaskPhone(phone), "sid", f.sid(), "spool_id", e.ID, "cause", cause.Error())
	return nil
}

// spoolCall takes the events of a key press while the store does not answer: only when they
// all opt out (the stop menu); an opt-in is never promised without the ledger.
func (h *Handler) spoolCall(ctx context.Context, t callTurn, events []consent.Event, cause error) error {
	if h.spool == nil {
		return cause
	}
	for _, e := range events {
		if e.Action != consent.ActionOptOut {
			return fmt.Errorf("store unavailable and not an opt-out: %w", cause)
		}
	}
	entry, err := spool.EventsEntry(t.business.ID, t.caller, events)
	if err == nil {
		entry, err = h.spool.Append(entry)
	}
	if err != nil {
		return fmt.Errorf("spool key press (after %v): %w", cause, err)
	}
	h.log.WarnContext(ctx, "call opt-out spooled: the store did not answer", "business", t.business.ID,
		"caller", consent.MaskPhone(t.caller), "call", t.form.CallSid, "spool_id", entry.ID, "cause", cause.Error())
	return nil
}

// SpoolKinds returns how this edge's spooled entries become writes again, by kind.
func (h *Handler) SpoolKinds() map[string]spool.Rebuild {
	return map[string]spool.Rebuild{kindMessage: h.rebuildMessage, kindStatus: h.rebuildStatus}
}

// rebuildMessage turns a spooled message back into its write, decided on the state its
// person has when it is replayed, and storing the reply that was sent.
func (h *Handler) rebuildMessage(ctx context.Context, e spool.Entry) (consent.Write, error) {
	var me messageEntry
	vals, err := entryForm(e, &me)
	if err != nil {
		return consent.Write{}, err
	}
	var f messageForm
	bindValues(vals, &f)
	b, err := h.replayBusiness(ctx, f.To)
	if err != nil {
		return consent.Write{}, err
	}
	in, _, ok := h.sender(ctx, f, b)
	if !ok || in.phone != e.Phone {
		return consent.Write{}, fmt.Errorf("%w: the message's sender is no longer %s", spool.ErrRejected, consent.MaskPhone(e.Phone))
	}
	w := h.converse(in)
	decide := w.Decide
	w.Decide = func(st consent.State) consent.Outcome {
		out := decide(st)
		out.Reply = me.Reply
		return out
	}
	return w, nil
}

// rebuildStatus turns a spooled 21610 callback back into its write.
func (h *Handler) rebuildStatus(ctx context.Context, e spool.Entry) (consent.Write, error) {
	var me messageEntry
	vals, err := entryForm(e, &me)
	if err != nil {
		return consent.Write{}, err
	}
	var f statusForm
	bindValues(vals, &f)
	b, err := h.replayBusiness(ctx, f.From)
	if err != nil {
		return consent.Write{}, err
	}
	return providerOptOut(f, b, e.Phone, statusChannel(f)), nil
}

// entryForm reads the payload of a spooled message or callback.
func entryForm(e spool.Entry, me *messageEntry) (url.Values, error) {
	if err := json.Unmarshal(e.Payload, me); err != nil {
		return nil, fmt.Errorf("%w: payload: %w", spool.ErrRejected, err)
	}
	vals, err := url.ParseQuery(me.Form)
	if err != nil {
		return nil, fmt.Errorf("%w: form: %w", spool.ErrRejected, err)
	}
	return vals, nil
}

// replayBusiness finds the business of a spooled entry's number. A number no business owns
// any more can never be replayed; a store that does not answer is tried again later.
func (h *Handler) replayBusiness(ctx context.Context, addr string) (consent.Business, error) {
	b, err := h.businesses.lookup(ctx, addr)
	if errors.Is(err, consent.ErrNotFound) || errors.Is(err, consent.ErrInvalidPhone) {
		return b, fmt.Errorf("%w: no business owns %s any more", spool.ErrRejected, consent.MaskPhone(addr))
	}
	return b, err
}

// values returns the form as Twilio posted it.
func (f messageForm) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"MessageSid": f.MessageSid, "SmsSid": f.SmsSid, "AccountSid": f.AccountSid,
		"MessagingServiceSid": f.MessagingServiceSid, "From": f.From, "To": f.To, "Body": f.Body,
		"NumMedia": f.NumMedia, "NumSegments": f.NumSegments, "ProfileName": f.ProfileName, "WaId": f.WaID,
		"ButtonText": f.ButtonText, "ButtonPayload": f.ButtonPayload, "OptOutType": f.OptOutType} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// values returns the form as Twilio posted it.
func (f statusForm) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"MessageSid": f.MessageSid, "SmsSid": f.SmsSid, "AccountSid": f.AccountSid,
		"From": f.From, "To": f.To, "MessageStatus": f.MessageStatus, "ErrorCode": f.ErrorCode} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}
