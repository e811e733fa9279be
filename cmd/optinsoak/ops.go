package main

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/optin/optin/consent"
)

// driver sends the operations of one phase and records what they got.
type driver struct {
	s   *stage
	c   *client
	rec *recorder
	ids *ids
	// keywordsRefused counts conversations that ended at the keyword: no disclosure came,
	// so no YES was sent.
	keywordsRefused atomic.Int64
}

// newDriver makes the phase's driver; its phones are in the given area code.
func (s *stage) newDriver(area string, conns int) *driver {
	return &driver{s: s, c: newClient(s.token, conns), rec: &recorder{}, ids: &ids{area: area}}
}

// number is the business number every webhook is sent to.
func (d *driver) number() string { return d.s.business.Numbers[0] }

// allCategories lists the business's category keys in menu order.
func (d *driver) allCategories() []string { return d.s.business.CategoryKeys() }

// sms posts one inbound message to svc.
func (d *driver) sms(ctx context.Context, svc *service, form url.Values) answer {
	a := d.c.webhook(ctx, svc, "/twilio/sms", form)
	d.rec.request("sms", a)
	return a
}

// smsStop texts body, a STOP form, from phone (a fresh one when ""): an opt-out of cats,
// answered with expected. body "STOP" stops every category; "STOP KEYWORD" that category only.
func (d *driver) smsStop(ctx context.Context, svc *service, phone, body string, cats []string, expected string) *write {
	if phone == "" {
		phone = d.ids.phone()
	}
	w := &write{kind: "sms_stop", phone: phone, action: consent.ActionOptOut, categories: cats,
		channel: consent.ChannelSMS, ref: d.ids.messageSid(), body: body}
	w.keyPattern = messageKeys(w.ref)
	d.rec.begin(w)
	a := d.sms(ctx, svc, smsForm(w.ref, w.phone, d.number(), body))
	acked, unexpected := smsAcknowledged(a, expected)
	d.rec.finish(w, a, acked, unexpected)
	return w
}

// stopAll is smsStop of every category with the plain STOP.
func (d *driver) stopAll(ctx context.Context, svc *service) *write {
	return d.smsStop(ctx, svc, "", "STOP", d.allCategories(), d.s.replies.stopAll)
}

// stopOne is smsStop of one category with STOP KEYWORD, from phone (a fresh one when "").
func (d *driver) stopOne(ctx context.Context, svc *service, phone string, c consent.Category) *write {
	return d.smsStop(ctx, svc, phone, "STOP "+c.Keyword, d.reach(c.Key), d.s.replies.stopOne[c.Key])
}

// reach is what an opt-out of one category stops: that category, or every category of a
// business that revokes globally.
func (d *driver) reach(key string) []string {
	if d.s.business.Revocation == consent.RevocationGlobal {
		return d.allCategories()
	}
	return []string{key}
}

// providerOptOut posts a 21610 status callback for a fresh recipient: Twilio stopped
// delivering to them because they texted STOP to Twilio, an opt-out of every category.
func (d *driver) providerOptOut(ctx context.Context, svc *service) *write {
	w := &write{kind: "status_21610", phone: d.ids.phone(), action: consent.ActionOptOut, categories: d.allCategories(),
		channel: consent.ChannelSMS, ref: d.ids.messageSid()}
	w.keyPattern = statusKeys(w.ref)
	d.rec.begin(w)
	a := d.c.webhook(ctx, svc, "/twilio/status", statusForm(w.ref, d.number(), w.phone, "21610"))
	d.rec.request("status", a)
	acked, _ := smsAcknowledged(a, "")
	d.rec.finish(w, a, acked, false)
	return w
}

// conversation texts a category's keyword from phone (a fresh one when "") to first, then YES
// to second (the same service or another replica). The YES is an opt-in write; a keyword
// that was not answered with the disclosure ends the conversation with no write.
func (d *driver) conversation(ctx context.Context, first, second *service, phone string, c consent.Category) *write {
	if phone == "" {
		phone = d.ids.phone()
	}
	asked := d.sms(ctx, first, smsForm(d.ids.messageSid(), phone, d.number(), c.Keyword))
	if !yesAcknowledged(asked, d.s.replies.disclosure[c.Key]) {
		d.keywordsRefused.Add(1)
		return nil
	}
	return d.yes(ctx, second, phone, c)
}

// yes texts YES from phone, which has a disclosure of c pending.
func (d *driver) yes(ctx context.Context, svc *service, phone string, c consent.Category) *write {
	w := &write{kind: "sms_yes", phone: phone, action: consent.ActionOptIn, categories: []string{c.Key},
		channel: consent.ChannelSMS, ref: d.ids.messageSid(), body: "YES"}
	w.keyPattern = messageKeys(w.ref)
	d.rec.begin(w)
	a := d.sms(ctx, svc, smsForm(w.ref, phone, d.number(), "YES"))
	d.rec.finish(w, a, yesAcknowledged(a, d.s.replies.optedIn[c.Key]), false)
	return w
}

// apiOptOut posts POST /v1/opt-outs for a fresh phone with an Idempotency-Key: of one
// category, or of every category when c is nil.
func (d *driver) apiOptOut(ctx context.Context, svc *service, c *consent.Category) *write {
	w := &write{kind: "api_opt_out", phone: d.ids.phone(), action: consent.ActionOptOut, categories: d.allCategories(),
		channel: consent.ChannelAPI}
	body := map[string]string{"phone": w.phone}
	if c != nil {
		body["category"], w.categories = c.Key, d.reach(c.Key)
	}
	idem := d.ids.idempotencyKey()
	w.keyPattern = apiOptOutKeys(idem, w.phone)
	d.rec.begin(w)
	a := d.c.api(ctx, svc, http.MethodPost, "/v1/opt-outs", d.s.apiKey, idem, body)
	d.rec.request("api_opt_out", a)
	d.rec.finish(w, a, apiAcknowledged(a), false)
	return w
}

// lookup reads a phone's consents through the API, as a sender does before a send.
func (d *driver) lookup(ctx context.Context, svc *service, phone string) answer {
	a := d.c.api(ctx, svc, http.MethodGet, "/v1/consents/"+url.PathEscape(phone), d.s.apiKey, "", nil)
	d.rec.request("api_lookup", a)
	return a
}

// redeliver sends an SMS write's message again, same MessageSid, as Twilio does when it did
// not get an answer. An acknowledged redelivery acknowledges the write; it returns whether
// the redelivery was answered 200 with the reply the write first got (or, for a write first
// refused, with any reply).
func (d *driver) redeliver(ctx context.Context, svc *service, w *write) (answer, bool) {
	a := d.sms(ctx, svc, smsForm(w.ref, w.phone, d.number(), w.body))
	if a.status != 200 {
		return a, false
	}
	first, wasAcked := d.rec.acknowledge(w, a)
	return a, !wasAcked || first == replyOf(a)
}
