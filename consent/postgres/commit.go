package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/optin/optin/consent"
)

// maxBatch bounds how many writes of one business share a batch.
const maxBatch = 256

// maxInFlight is how many batches of one business this process runs at once: while one
// writes, the next reads and decides, so the round trips of one overlap the other's. Their
// writes still take the business's ledger lock one at a time.
const maxInFlight = 2

// gatherWait is how long a batch that starts while another of its business is in flight
// gathers writes before it takes them. Its write would wait for the other's lock anyway, and a
// larger batch pays the fixed cost of a write once for more writes. A business with nothing
// in flight never waits.
const gatherWait = 2 * time.Millisecond

// maxBatchTime bounds a batch when none of its writers set a deadline.
const maxBatchTime = 30 * time.Second

// committer coalesces concurrent writes of one business into few batches (group commit).
// Writers enqueue and wait; while the business has batches in flight, writes arriving for it
// gather, and the next batch takes everything gathered. An idle business does not wait: a lone
// write starts its batch at once. Businesses never wait for each other.
//
// A write about a person who is in a batch in flight waits for that batch, so each person's
// writes are decided one at a time, in arrival order, each on the state the one before left.
// Across replicas, the batch's write checks under the ledger lock that the state it decided
// on is still current (see optin_write_unit).
type committer struct {
	store *Store
	mu    sync.Mutex
	by    map[string]*businessQueue
}

// businessQueue is one business's waiting writes and its batches in flight.
type businessQueue struct {
	waiting   []*queuedWrite
	inFlight  int
	people    map[string]int // phones of writes in flight → how many
	barrier   bool           // a batch in flight holds a write about no one person
	gathering bool           // a batch is gathering writes before it takes them
}

// queuedWrite is one write waiting for its batch, answered once on done.
type queuedWrite struct {
	ctx  context.Context
	w    consent.Write
	done chan writeResult
}

type writeResult struct {
	committed consent.Committed
	err       error
}

func newCommitter(s *Store) *committer {
	return &committer{store: s, by: map[string]*businessQueue{}}
}

// commit enqueues w and waits until its batch committed or ctx ended. When ctx ends while the
// batch is in flight the outcome is unknown to the caller: the write may still commit, which
// is why every write carries idempotency keys.
func (c *committer) commit(ctx context.Context, w consent.Write) (consent.Committed, error) {
	q := &queuedWrite{ctx: ctx, w: w, done: make(chan writeResult, 1)}
	c.mu.Lock()
	bq := c.by[w.BusinessID]
	if bq == nil {
		bq = &businessQueue{people: map[string]int{}}
		c.by[w.BusinessID] = bq
	}
	bq.waiting = append(bq.waiting, q)
	c.launchLocked(w.BusinessID, bq)
	c.mu.Unlock()
	select {
	case r := <-q.done:
		return r.committed, r.err
	case <-ctx.Done():
		return consent.Committed{}, fmt.Errorf("waiting for the write to commit: %w", ctx.Err())
	}
}

// launchLocked starts batches of the business while it has room for them and writes that may
// go; with nothing waiting or in flight it forgets the business. A batch started while another
// is in flight first gathers for gatherWait.
func (c *committer) launchLocked(businessID string, bq *businessQueue) {
	for bq.inFlight < maxInFlight && !bq.gathering && bq.eligible() {
		if bq.inFlight > 0 {
			bq.inFlight++
			bq.gathering = true
			go c.gatherAndRun(businessID, bq)
			break
		}
		batch := bq.take()
		if len(batch) == 0 {
			break
		}
		bq.inFlight++
		go c.run(businessID, bq, batch)
	}
	if bq.inFlight == 0 && len(bq.waiting) == 0 {
		delete(c.by, businessID)
	}
}

// gatherAndRun waits gatherWait, then takes and runs what gathered.
func (c *committer) gatherAndRun(businessID string, bq *businessQueue) {
	time.Sleep(gatherWait)
	c.mu.Lock()
	bq.gathering = false
	batch := bq.take()
	if len(batch) == 0 {
		bq.inFlight--
		c.launchLocked(businessID, bq)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.run(businessID, bq, batch)
}

// eligible reports whether a waiting write may join a batch now (see take), so a batch is not
// started just to find every waiting write held back.
func (bq *businessQueue) eligible() bool {
	if bq.barrier {
		return false
	}
	for _, q := range bq.waiting {
		if q.w.Phone == "" {
			return bq.inFlight == 0
		}
		if bq.people[q.w.Phone] == 0 {
			return true
		}
	}
	return false
}

// take removes, in arrival order, up to maxBatch waiting writes that may join a batch now: not
// about a person in a batch in flight (nor behind such a write), and a write about no one
// person only when nothing is in flight, alone with the writes before it. Writers that gave up
// before their batch began are answered and dropped: nothing of them was started.
func (bq *businessQueue) take() []*queuedWrite {
	if bq.barrier {
		return nil
	}
	var batch, kept []*queuedWrite
	held := map[string]bool{}
	blocked := false
	for _, q := range bq.waiting {
		if err := q.ctx.Err(); err != nil {
			q.done <- writeResult{err: fmt.Errorf("gave up before the write began: %w", err)}
			continue
		}
		phone := q.w.Phone
		switch {
		case blocked || len(batch) >= maxBatch:
			kept = append(kept, q)
		case phone == "":
			if bq.inFlight == 0 {
				batch = append(batch, q)
				bq.barrier = true
			} else {
				kept = append(kept, q)
			}
			blocked = true
		case bq.people[phone] > 0 || held[phone]:
			held[phone] = true
			kept = append(kept, q)
		default:
			batch = append(batch, q)
		}
	}
	bq.waiting = kept
	for _, q := range batch {
		if q.w.Phone != "" {
			bq.people[q.w.Phone]++
		}
	}
	return batch
}

// run commits one batch, answers each writer with its own result, and lets the next batches
// of the business go.
func (c *committer) run(businessID string, bq *businessQueue, batch []*queuedWrite) {
	defer func() {
		c.mu.Lock()
		bq.inFlight--
		bq.barrier = false
		for _, q := range batch {
			if q.w.Phone != "" {
				if bq.people[q.w.Phone]--; bq.people[q.w.Phone] == 0 {
					delete(bq.people, q.w.Phone)
				}
			}
		}
		c.launchLocked(businessID, bq)
		c.mu.Unlock()
	}()
	defer answerOnPanic(batch)
	ctx, cancel := batchContext(batch)
	defer cancel()
	writes := make([]consent.Write, len(batch))
	for i, q := range batch {
		writes[i] = q.w
	}
	results := c.store.commitBatch(ctx, writes)
	for i, q := range batch {
		q.done <- results[i]
	}
}

// answerOnPanic answers every writer of a batch that panicked, so no writer waits forever
// and the process survives.
func answerOnPanic(batch []*queuedWrite) {
	r := recover()
	if r == nil {
		return
	}
	for _, q := range batch {
		select {
		case q.done <- writeResult{err: fmt.Errorf("committing the batch panicked: %v", r)}:
		default: // answered before the panic
		}
	}
}

// batchContext is the context of a batch: it ends at the latest deadline of its writers,
// since the batch works for all of them, and is not cancelled with any one.
func batchContext(batch []*queuedWrite) (context.Context, context.CancelFunc) {
	deadline := time.Time{}
	for _, q := range batch {
		d, ok := q.ctx.Deadline()
		if !ok {
			deadline = time.Time{}
			break
		}
		if d.After(deadline) {
			deadline = d
		}
	}
	if deadline.IsZero() {
		return context.WithTimeout(context.Background(), maxBatchTime)
	}
	return context.WithDeadline(context.Background(), deadline)
}
