package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"github.com/optin/optin/consent"
)

// Size of the replicas phase.
const (
	replicaCalls         = 60
	replicaConversations = 60
	replicaWorkers       = 8
)

// runReplicas is the replicas phase: two services on one database behind one public
// address. Each IVR call and each SMS conversation sends its successive requests to the two
// in turn; every step must be answered as on one service, every write recorded once, and
// each person's final consent the one their last choices say.
func runReplicas(ctx context.Context, s *stage) []check {
	lb, err := freePort() // the address of the load balancer Twilio would call; nothing listens on it
	if err != nil {
		return []check{failure("start", err)}
	}
	public := "http://127.0.0.1:" + strconv.Itoa(lb)
	var svcs []*service
	for _, name := range []string{"replica-a", "replica-b"} {
		svc, err := s.startService(ctx, serviceSpec{name: name, publicURL: public, spoolDir: filepath.Join(s.dir, name+"-spool")})
		if err != nil {
			return []check{failure("start", err)}
		}
		svcs = append(svcs, svc)
	}
	d := s.newDriver("206", replicaWorkers)
	var broken atomic.Int64
	turns := func(i int) []*service { return []*service{svcs[i%2], svcs[(i+1)%2]} }
	forEach(ctx, replicaCalls, replicaWorkers, func(ctx context.Context, i int) {
		if !d.replicaCall(ctx, turns(i)) {
			broken.Add(1)
		}
	})
	forEach(ctx, replicaConversations, replicaWorkers, func(ctx context.Context, i int) {
		if !d.replicaConversation(ctx, turns(i)) {
			broken.Add(1)
		}
	})
	writes := d.rec.snapshot()
	unacked := 0
	for _, w := range writes {
		if !w.acked {
			unacked++
		}
	}
	checks := []check{
		info("sessions", "%d calls and %d conversations, %d writes", replicaCalls, replicaConversations, len(writes)),
		atMost("steps_not_answered_as_expected", int(broken.Load()), 0),
		atMost("writes_unacknowledged", unacked, 0),
		atMost("acks_not_the_flows_reply", countUnexpected(writes), 0),
	}
	checks = append(checks, s.finalStateCheck(ctx, writes))
	return append(checks, s.ledgerChecks(ctx, writes)...)
}

// replicaCall is one call whose requests take turns between the replicas: the first
// category's disclosure agreed to, the last category stopped, then every category stopped.
// It reports whether every step that records nothing was answered with a next step.
func (d *driver) replicaCall(ctx context.Context, svcs []*service) bool {
	cats := d.s.business.Categories
	first, last := cats[0], cats[len(cats)-1]
	cl := d.newCall(svcs...)
	if _, err := cl.start(ctx); err != nil {
		return false
	}
	if _, err := cl.press(ctx, strconv.Itoa(first.Digit)); err != nil {
		return false
	}
	cl.record(ctx, "ivr_agree", "1", consent.ActionOptIn, []string{first.Key}, d.s.replies.ivrOptedIn[first.Digit])
	if _, err := cl.press(ctx, "0"); err != nil {
		return false
	}
	cl.record(ctx, "ivr_stop", strconv.Itoa(last.Digit), consent.ActionOptOut, d.digitCategories(last.Digit), d.s.replies.ivrStopped[last.Digit])
	if _, err := cl.press(ctx, "0"); err != nil {
		return false
	}
	cl.record(ctx, "ivr_stop", "9", consent.ActionOptOut, d.allCategories(), d.s.replies.ivrStopped[9])
	return true
}

// replicaConversation is one person texting, each message to the other replica: yes to the
// second category, yes to the last, then STOP the second.
func (d *driver) replicaConversation(ctx context.Context, svcs []*service) bool {
	cats := d.s.business.Categories
	second, last := cats[1%len(cats)], cats[len(cats)-1]
	phone := d.ids.phone()
	if d.conversation(ctx, svcs[0], svcs[1], phone, second) == nil {
		return false
	}
	if d.conversation(ctx, svcs[0], svcs[1], phone, last) == nil {
		return false
	}
	d.stopOne(ctx, svcs[0], phone, second)
	return true
}

// finalStateCheck compares each person's consents with what their acknowledged writes, in
// the order sent, leave: the last action on each category.
func (s *stage) finalStateCheck(ctx context.Context, writes []write) check {
	got, err := s.consents(ctx)
	if err != nil {
		return failure("final_state_wrong", err)
	}
	want := map[string]string{}
	for _, w := range writes { // one person's writes are sent one after another
		if !w.acked {
			continue
		}
		status := string(consent.StatusOptedIn)
		if w.action == consent.ActionOptOut {
			status = string(consent.StatusOptedOut)
		}
		for _, c := range w.categories {
			want[w.phone+"|"+c] = status
		}
	}
	wrong, example := 0, ""
	for k, status := range want {
		if got[k] != status {
			wrong++
			if example == "" {
				example = fmt.Sprintf(", e.g. %s is %q, want %q", k, got[k], status)
			}
		}
	}
	c := atMost("final_state_wrong", wrong, 0)
	c.value += fmt.Sprintf(" of %d%s", len(want), example)
	return c
}
