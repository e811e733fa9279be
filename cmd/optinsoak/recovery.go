package main

import (
	"context"
	"time"
)

// recoveryPoll is how often the ledger is read while waiting for recovery.
const recoveryPoll = 100 * time.Millisecond

// watchRecovery measures recovery after PostgreSQL returned at back: the time until every
// write sent before back has its answer and every acknowledged one of them is in the ledger
// (read directly, not through the service). It gives up after limit and returns -1 then,
// with how many acknowledged writes were still missing.
func (s *stage) watchRecovery(ctx context.Context, rec *recorder, back time.Time, limit time.Duration) (time.Duration, int) {
	ctx, cancel := context.WithDeadline(ctx, back.Add(limit))
	defer cancel()
	confirmed := map[int]bool{} // by index in the recorder, which only appends
	missing := 0
	for {
		writes := rec.snapshot()
		answering, want := false, map[string]bool{}
		var phones []string
		pendingIdx := []int{}
		for i, w := range writes {
			if !w.sent.Before(back) {
				continue
			}
			if w.inFlight() {
				answering = true
				continue
			}
			if !w.acked || confirmed[i] {
				continue
			}
			pendingIdx = append(pendingIdx, i)
			if !want[w.phone] {
				want[w.phone] = true
				phones = append(phones, w.phone)
			}
		}
		if len(phones) > 0 {
			if seen, err := s.visible(ctx, phones); err == nil {
				for _, i := range pendingIdx {
					if allSeen(writes[i], seen) {
						confirmed[i] = true
					}
				}
			}
		}
		missing = 0
		for _, i := range pendingIdx {
			if !confirmed[i] {
				missing++
			}
		}
		if !answering && missing == 0 {
			return time.Since(back), 0
		}
		if sleep(ctx, recoveryPoll) != nil {
			return -1, missing
		}
	}
}

// allSeen reports whether every event the write asks for is among those seen.
func allSeen(w write, seen map[string]bool) bool {
	for _, k := range w.keys() {
		if !seen[k] {
			return false
		}
	}
	return true
}
