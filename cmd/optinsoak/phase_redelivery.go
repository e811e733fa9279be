package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/optin/optin/consent"
)

// redeliveryWorkers is how many messages are in flight at once, each as three deliveries.
const redeliveryWorkers = 12

// delivery is what the three deliveries of one message got.
type delivery struct {
	w        *write
	expected string // the flows' reply to the message
	answers  [3]answer
}

// runRedelivery is the redelivery phase: every message is delivered three times at once,
// with the same MessageSid, as Twilio does when an answer is slow. Each must be recorded
// once, and all three deliveries answered 200 with the same reply.
func runRedelivery(ctx context.Context, s *stage) []check {
	svc, err := s.startService(ctx, serviceSpec{name: "optin", spoolDir: filepath.Join(s.dir, "spool")})
	if err != nil {
		return []check{failure("start", err)}
	}
	d := s.newDriver("646", redeliveryWorkers*3)
	deliveries := make([]*delivery, s.opts.messages)
	keywordsRefused := 0
	var mu sync.Mutex
	start := time.Now()
	forEach(ctx, len(deliveries), redeliveryWorkers, func(ctx context.Context, i int) {
		dl := d.redeliveryMessage(ctx, svc, i)
		mu.Lock()
		defer mu.Unlock()
		if dl == nil {
			keywordsRefused++
			return
		}
		deliveries[i] = dl
	})
	took := time.Since(start)
	not200, differing, notFlows, sent := 0, 0, 0, 0
	for _, dl := range deliveries {
		if dl == nil {
			continue
		}
		sent++
		first := replyOf(dl.answers[0])
		same := true
		for _, a := range dl.answers {
			if a.status != 200 {
				not200++
			}
			if replyOf(a) != first || a.status != dl.answers[0].status {
				same = false
			}
		}
		if !same {
			differing++
		}
		if dl.answers[0].status == 200 && !strings.Contains(first, dl.expected) {
			notFlows++
		}
	}
	l := latenciesOf(d.rec.allRequests(), start, time.Now())
	checks := []check{
		info("messages", "%d delivered 3× at once in %s, p99 %s", sent, took.Round(100*time.Millisecond), show(l.percentile(99))),
		atMost("keywords_refused", keywordsRefused, 0),
		atMost("deliveries_not_200", not200, 0),
		atMost("messages_with_differing_replies", differing, 0),
		atMost("replies_not_the_flows_reply", notFlows, 0),
	}
	return append(checks, s.ledgerChecks(ctx, d.rec.snapshot())...)
}

// redeliveryMessage sends message i three times at once: a STOP, a STOP KEYWORD, or a YES
// to a disclosure asked for just before (the keyword itself delivered once). It returns nil
// when that keyword was not answered with the disclosure.
func (d *driver) redeliveryMessage(ctx context.Context, svc *service, i int) *delivery {
	cats := d.s.business.Categories
	c := cats[i%len(cats)]
	phone := d.ids.phone()
	dl := &delivery{w: &write{phone: phone, action: consent.ActionOptOut, channel: consent.ChannelSMS, ref: d.ids.messageSid()}}
	switch i % 3 {
	case 0:
		dl.w.kind, dl.w.body, dl.w.categories, dl.expected = "sms_stop", "STOP", d.allCategories(), d.s.replies.stopAll
	case 1:
		dl.w.kind, dl.w.body, dl.w.categories, dl.expected = "sms_stop", "STOP "+c.Keyword, d.reach(c.Key), d.s.replies.stopOne[c.Key]
	default:
		asked := d.sms(ctx, svc, smsForm(d.ids.messageSid(), phone, d.number(), c.Keyword))
		if !yesAcknowledged(asked, d.s.replies.disclosure[c.Key]) {
			return nil
		}
		dl.w.kind, dl.w.body, dl.w.categories, dl.expected = "sms_yes", "YES", []string{c.Key}, d.s.replies.optedIn[c.Key]
		dl.w.action = consent.ActionOptIn
	}
	dl.w.keyPattern = messageKeys(dl.w.ref)
	d.rec.begin(dl.w)
	form := smsForm(dl.w.ref, phone, d.number(), dl.w.body)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for k := range dl.answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			dl.answers[k] = d.sms(ctx, svc, form)
		}()
	}
	close(release) // all three leave together
	wg.Wait()
	got, acked := dl.answers[0], false
	for _, a := range dl.answers {
		if a.status == 200 && !acked {
			got, acked = a, true // Twilio stops delivering at the first 200
		}
	}
	d.rec.finish(dl.w, got, acked, false)
	return dl
}
