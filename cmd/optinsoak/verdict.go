package main

import (
	"fmt"
	"slices"
)

// verdict compares what the writes asked for with what the ledger holds.
type verdict struct {
	writes     int // writes sent
	acked      int // writes acknowledged
	ackedLost  int // acknowledged writes missing an event
	duplicates int // events beyond every write that could have asked for them
	// partial counts unacknowledged writes recorded for some of their categories only: a
	// write is one unit, all or nothing.
	partial int
	// recordedUnacked counts unacknowledged writes recorded anyway (the answer was lost on
	// the way): harmless, since a retry records nothing twice.
	recordedUnacked int
	phantom         int // events no write asked for
	mismatched      int // events whose channel or provider reference is not their write's
	unexpectedKey   int // events whose idempotency key is not the one their write's first attempt carries
	events          int // events of the business
	ackedEvents     int // events the acknowledged writes need
	lostExamples    []string
}

// judge checks the ledger against the writes. An event key (phone, category, action) may be
// asked for by several writes: with a acknowledged and u unacknowledged ones, the ledger must
// hold between a and a+u events of it. Fewer is a lost acknowledged write; more a duplicate.
func judge(writes []write, events []ledgerEvent) verdict {
	v := verdict{writes: len(writes), events: len(events)}
	askedBy := map[string][]int{}
	for i, w := range writes {
		for _, k := range w.keys() {
			askedBy[k] = append(askedBy[k], i)
		}
		if w.acked {
			v.acked++
			v.ackedEvents += len(w.categories)
		}
	}
	byKey := map[string][]ledgerEvent{}
	for _, e := range events {
		k := eventKey(e.phone, e.category, e.action)
		byKey[k] = append(byKey[k], e)
	}
	short := map[string]bool{}
	for k, asking := range askedBy {
		acked := 0
		for _, i := range asking {
			if writes[i].acked {
				acked++
			}
		}
		n := len(byKey[k])
		if n < acked {
			short[k] = true
		}
		if extra := n - len(asking); extra > 0 {
			v.duplicates += extra
		}
	}
	for k, evs := range byKey {
		asking, ok := askedBy[k]
		if !ok {
			v.phantom += len(evs)
			continue
		}
		for _, e := range evs {
			if !slices.ContainsFunc(asking, func(i int) bool { return writes[i].matches(e) }) {
				v.mismatched++
			} else if !slices.ContainsFunc(asking, func(i int) bool { return writes[i].keyed(e) }) {
				v.unexpectedKey++
			}
		}
	}
	for _, w := range writes {
		v.judgeWrite(w, askedBy, byKey, short)
	}
	return v
}

// judgeWrite counts one write as lost, partial or recorded without acknowledgement.
func (v *verdict) judgeWrite(w write, askedBy map[string][]int, byKey map[string][]ledgerEvent, short map[string]bool) {
	keys := w.keys()
	if w.acked {
		if slices.ContainsFunc(keys, func(k string) bool { return short[k] }) {
			v.ackedLost++
			if len(v.lostExamples) < 3 {
				v.lostExamples = append(v.lostExamples, fmt.Sprintf("%s %s %s: answered %s", w.kind, w.phone, w.ref, w.answer))
			}
		}
		return
	}
	// Only a write alone on its keys tells by the ledger which of its events are its own.
	if slices.ContainsFunc(keys, func(k string) bool { return len(askedBy[k]) > 1 }) {
		return
	}
	present := 0
	for _, k := range keys {
		if len(byKey[k]) > 0 {
			present++
		}
	}
	switch {
	case present == len(keys) && present > 0:
		v.recordedUnacked++
	case present > 0:
		v.partial++
	}
}

// matches reports whether an event carries the write's channel and provider reference.
func (w write) matches(e ledgerEvent) bool {
	return e.channel == string(w.channel) && (w.ref == "" || e.ref == w.ref)
}

// keyed reports whether an event is the write's and carries the key the write's events carry.
func (w write) keyed(e ledgerEvent) bool {
	return w.matches(e) && (w.keyPattern == "" || e.key == w.keyFor(e.category))
}

// checks turns the verdict into the phase's figures.
func (v verdict) checks() []check {
	lost := atMost("acked_writes_lost", v.ackedLost, 0)
	if len(v.lostExamples) > 0 {
		lost.value += fmt.Sprintf(" of %d, e.g. %s", v.acked, v.lostExamples[0])
	} else {
		lost.value += fmt.Sprintf(" of %d", v.acked)
	}
	return []check{
		lost,
		atMost("duplicate_events", v.duplicates, 0),
		atMost("partial_writes", v.partial, 0),
		atMost("events_no_write_asked_for", v.phantom, 0),
		atMost("events_wrong_channel_or_ref", v.mismatched, 0),
		atMost("events_under_unexpected_key", v.unexpectedKey, 0),
		info("ledger_events", "%d (%d for acknowledged writes; %d unacknowledged writes recorded anyway)",
			v.events, v.ackedEvents, v.recordedUnacked),
	}
}
