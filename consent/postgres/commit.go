package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/optin/optin/consent"
)

// maxBatch bounds how many writes of one business share a transaction.
const maxBatch = 256

// maxBatchTime bounds a batch's transaction when none of its writers set a deadline.
const maxBatchTime = 30 * time.Second

// committer coalesces concurrent writes of one business into few transactions (group
// commit). Writers enqueue and wait; while a business has a batch in flight, writes arriving
// for it gather, and when the batch ends the next one takes everything gathered. An idle
// business does not wait: a lone write starts its batch at once. Businesses never wait for
// each other. Across replicas the batch's advisory lock keeps one batch per business at a
// time, so every write about a person is decided against the state the last one committed.
type committer struct {
	store *Store
	mu    sync.Mutex
	// queues holds, per business with a batch in flight, the writes gathered for the next.
	queues map[string][]*queuedWrite
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
	return &committer{store: s, queues: map[string][]*queuedWrite{}}
}

// commit enqueues w and waits until its batch committed or ctx ended. When ctx ends while the
// batch is in flight the outcome is unknown to the caller: the write may still commit, which
// is why every write carries idempotency keys.
func (c *committer) commit(ctx context.Context, w consent.Write) (consent.Committed, error) {
	q := &queuedWrite{ctx: ctx, w: w, done: make(chan writeResult, 1)}
	c.mu.Lock()
	queued, inFlight := c.queues[w.BusinessID]
	c.queues[w.BusinessID] = append(queued, q)
	c.mu.Unlock()
	if !inFlight {
		go c.drain(w.BusinessID)
	}
	select {
	case r := <-q.done:
		return r.committed, r.err
	case <-ctx.Done():
		return consent.Committed{}, fmt.Errorf("waiting for the write to commit: %w", ctx.Err())
	}
}

// drain runs the batches of one business until nothing is queued for it.
func (c *committer) drain(businessID string) {
	for {
		batch := c.take(businessID)
		if len(batch) == 0 {
			return
		}
		c.run(batch)
	}
}

// take removes up to maxBatch queued writes of a business, skipping those whose writer gave
// up before their batch began (they were never started, so they are answered as not done).
// With nothing left it forgets the business, so the next write starts a new drain.
func (c *committer) take(businessID string) []*queuedWrite {
	c.mu.Lock()
	defer c.mu.Unlock()
	queued := c.queues[businessID]
	batch := make([]*queuedWrite, 0, min(len(queued), maxBatch))
	n := 0
	for ; n < len(queued) && len(batch) < maxBatch; n++ {
		q := queued[n]
		if err := q.ctx.Err(); err != nil {
			q.done <- writeResult{err: fmt.Errorf("gave up before the write began: %w", err)}
			continue
		}
		batch = append(batch, q)
	}
	rest := queued[n:]
	switch {
	case len(batch) > 0:
		c.queues[businessID] = append([]*queuedWrite(nil), rest...)
	case len(rest) == 0:
		delete(c.queues, businessID)
	}
	return batch
}

// run commits one batch and answers each writer with its own result.
func (c *committer) run(batch []*queuedWrite) {
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
// and the process survives; the batch's transaction was rolled back with its connection.
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

// batchContext is the context of a batch's transaction: it ends at the latest deadline of
// its writers, since the batch works for all of them, and is not cancelled with any one.
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
