package main

import (
	"context"
	"fmt"
	"time"

	"github.com/optin/optin/consent"
)

// freshPerSecond sizes the pre-built pools of scenarios whose every request is new: enough
// for this many requests a second; a faster service builds the rest as it goes.
const freshPerSecond = 5000

// cycledPerWorker is the pool of each worker in scenarios whose requests may repeat.
const cycledPerWorker = 64

// webhook is a load of signed Twilio webhooks and the ledger events it must leave.
type webhook struct {
	name, baseline string
	note           string
	needs          []string
	area           string // area code of this scenario's phones
	fresh          bool   // every request is a new message or call; else each worker cycles a pool
	build          func(w, i int) signedForm
	businesses     []string
	events         func(r loadResult) int // events the answered requests must have recorded
}

// runWebhook measures h and then checks, in the database, that exactly the events the answered
// requests stand for were recorded: a figure of requests that recorded nothing would be a lie.
func (e *env) runWebhook(ctx context.Context, h webhook) ([]figure, error) {
	var pool *formPool
	l := load{
		prepare: func(workers int, span time.Duration) {
			per := cycledPerWorker
			if h.fresh {
				per = min(phoneSpan(workers), int(freshPerSecond*span.Seconds())/workers+1)
			}
			pool = newFormPool(workers, per, !h.fresh, h.build)
		},
		op:           func(ctx context.Context, w, i int) error { return e.client.postForm(ctx, pool.get(w, i)) },
		maxPerWorker: phoneSpan(e.opts.workers),
	}
	r, err := runLoad(ctx, l, e.opts.workers, e.opts.warmup, e.opts.duration)
	if err != nil {
		return nil, err
	}
	got, err := e.countEvents(ctx, h.businesses, h.area)
	if err != nil {
		return nil, err
	}
	if want := h.events(r); got != want {
		return nil, fmt.Errorf("%d requests answered should have recorded %d events, the ledger holds %d", r.sent, want, got)
	}
	return []figure{{name: h.name, value: r.perSecond(), unit: "req/s", p50: r.p50, p99: r.p99, baseline: h.baseline, note: h.note}}, nil
}

// countEventsSQL counts the events of some businesses from phones of one area code.
const countEventsSQL = `SELECT count(*) FROM consent_events WHERE business_id = ANY($1) AND phone LIKE $2`

func (e *env) countEvents(ctx context.Context, businesses []string, area string) (int, error) {
	var n int
	if err := e.store.DB().GetContext(ctx, &n, countEventsSQL, businesses, "+1"+area+"%"); err != nil {
		return 0, fmt.Errorf("count recorded events: %w", err)
	}
	return n, nil
}

func (e *env) webhookStep(h webhook) step {
	return step{name: h.name, needs: h.needs, run: func(ctx context.Context) ([]figure, error) { return e.runWebhook(ctx, h) }}
}

// smsTo builds fresh messages from the scenario's phones to the business chosen per request.
func (e *env) smsTo(scenario int, area, body string, to func(w, i int) consent.Business) func(w, i int) signedForm {
	return func(w, i int) signedForm {
		f := smsForm(sid("SM", scenario, w, i), freshPhone(area, e.opts.workers, w, i), to(w, i).Numbers[0], body)
		return signForm(e.base+"/twilio/sms", f)
	}
}

// everyCategory is how many events a STOP records per answered request: one per category.
func everyCategory(b consent.Business) func(loadResult) int {
	return func(r loadResult) int { return r.sent * len(b.Categories) }
}

func nothing(loadResult) int { return 0 }

func (e *env) smsStop() step {
	hot := e.biz.hot()
	return e.webhookStep(webhook{name: "sms_stop", baseline: "direct_txn", needs: []string{"direct_txn", "sms_stop_10biz"},
		note: fmt.Sprintf("STOP, fresh phones, to %s: %d categories, %d events each", hot.ID, len(hot.Categories), len(hot.Categories)),
		area: "415", fresh: true, businesses: []string{hot.ID}, events: everyCategory(hot),
		build: e.smsTo(1, "415", "STOP", func(int, int) consent.Business { return hot })})
}

// smsStopSpread sends the load of sms_stop to the ten traffic businesses in turn.
func (e *env) smsStopSpread() step {
	ids := make([]string, len(e.biz.traffic))
	for i, b := range e.biz.traffic {
		ids[i] = b.ID
	}
	pick := func(w, i int) consent.Business { return e.biz.traffic[(w+i)%len(e.biz.traffic)] }
	return e.webhookStep(webhook{name: "sms_stop_10biz", baseline: "direct_txn", needs: []string{"direct_txn"},
		note: fmt.Sprintf("the same, spread over %d businesses", len(ids)),
		area: "628", fresh: true, businesses: ids, events: everyCategory(e.biz.hot()),
		build: e.smsTo(2, "628", "STOP", pick)})
}

func (e *env) whatsAppStop() step {
	hot := e.biz.hot()
	build := func(w, i int) signedForm {
		f := whatsAppForm(sid("SM", 3, w, i), freshPhone("650", e.opts.workers, w, i), hot.Numbers[0], "STOP")
		return signForm(e.base+"/twilio/sms", f)
	}
	return e.webhookStep(webhook{name: "whatsapp_stop", baseline: "direct_txn", needs: []string{"direct_txn"},
		note: "STOP over WhatsApp (whatsapp: addresses), fresh phones",
		area: "650", fresh: true, businesses: []string{hot.ID}, events: everyCategory(hot), build: build})
}

// keywordThenYes has each phone text OFFERS, then YES: the second records the opt-in. Both
// messages count as requests.
func (e *env) keywordThenYes() step {
	hot := e.biz.hot()
	build := func(w, i int) signedForm {
		body := "OFFERS"
		if i%2 == 1 {
			body = "YES"
		}
		f := smsForm(sid("SM", 4, w, i), freshPhone("510", e.opts.workers, w, i/2), hot.Numbers[0], body)
		return signForm(e.base+"/twilio/sms", f)
	}
	yeses := func(r loadResult) int {
		n := 0
		for _, sent := range r.sentBy {
			n += sent / 2
		}
		return n
	}
	return e.webhookStep(webhook{name: "sms_keyword_then_yes", baseline: "direct_txn", needs: []string{"direct_txn"},
		note: "OFFERS then YES from each phone; both count",
		area: "510", fresh: true, businesses: []string{hot.ID}, events: yeses, build: build})
}

func (e *env) smsHelp() step {
	hot := e.biz.hot()
	return e.webhookStep(webhook{name: "sms_help", baseline: "direct_txn", needs: []string{"direct_txn"},
		note: "HELP, fresh phones: no event, the message is claimed once",
		area: "925", fresh: true, businesses: []string{hot.ID}, events: nothing,
		build: e.smsTo(5, "925", "HELP", func(int, int) consent.Business { return hot })})
}
