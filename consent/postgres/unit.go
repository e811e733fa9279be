package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent"
)

// maxStaleRounds bounds how often a write is decided again because another replica changed
// its person's state between the batch's read and its write.
const maxStaleRounds = 8

// errStale fails a write whose person's state kept changing under it.
var errStale = errors.New("the person's state kept changing while the write was decided")

// commitBatch commits writes of one business, decided in arrival order, and returns each
// write's own result.
func (s *Store) commitBatch(ctx context.Context, writes []consent.Write) []writeResult {
	results := make([]writeResult, len(writes))
	s.commitPart(ctx, writes, results)
	return results
}

// commitPart commits writes into results. A write decided on a state that changed before its
// batch was written (another replica wrote about the person) is decided again, with the
// writes after it about the same person. A statement that fails because of one write's data
// fails only that write: the writes are split and their halves run again, in order, until the
// write is alone.
func (s *Store) commitPart(ctx context.Context, writes []consent.Write, results []writeResult) {
	recorded := map[string]bool{}
	todo := make([]int, len(writes))
	for i := range todo {
		todo[i] = i
	}
	for attempt, round := 1, 1; len(todo) > 0; attempt++ {
		batch := make([]consent.Write, len(todo))
		for i, w := range todo {
			batch[i] = writes[w]
		}
		out, stale, err := s.tryUnit(ctx, batch, recorded)
		switch {
		case err == nil:
		case retryable(err) && attempt < 3:
			continue
		case len(batch) > 1 && causedByData(err):
			s.splitAndCommit(ctx, batch, todo, results)
			return
		default:
			for _, w := range todo {
				results[w] = writeResult{err: err}
			}
			return
		}
		var again []int
		for i, w := range todo {
			if stale[i] {
				again = append(again, w)
			} else {
				results[w] = out[i]
			}
		}
		if round++; round > maxStaleRounds && len(again) > 0 {
			for _, w := range again {
				results[w] = writeResult{err: errStale}
			}
			return
		}
		todo = again
	}
}

// splitAndCommit commits the two halves of batch one after the other, writing their results
// at the positions todo names.
func (s *Store) splitAndCommit(ctx context.Context, batch []consent.Write, todo []int, results []writeResult) {
	part := make([]writeResult, len(batch))
	half := len(batch) / 2
	s.commitPart(ctx, batch[:half], part[:half])
	s.commitPart(ctx, batch[half:], part[half:])
	for i, w := range todo {
		results[w] = part[i]
	}
}

// retryable reports an error after which nothing was written and the same write may simply
// run again.
func retryable(err error) bool {
	code := pqCode(err)
	return code == pqerror.TRDeadlockDetected || code == pqerror.TRSerializationFailure
}

// causedByData reports an error that some row's content caused (a check, a foreign key, a
// byte the database refuses), as opposed to the database or the connection failing.
func causedByData(err error) bool {
	code := pqCode(err)
	if len(code) < 2 {
		return false
	}
	switch code.Class() {
	case "22", "23", "54":
		return true
	}
	return false
}

// tryUnit reads the state of everyone in the batch, decides each write in arrival order
// against the state the writes before it left, and writes the batch in one locked statement.
// It returns each write's result, and which writes were stale and must be decided again.
func (s *Store) tryUnit(ctx context.Context, writes []consent.Write, recorded map[string]bool) ([]writeResult, map[int]bool, error) {
	u, err := s.readUnit(ctx, writes[0].BusinessID, writes)
	if err != nil {
		return nil, nil, err
	}
	u.decideAll(recorded)
	stale, err := u.write(ctx, recorded)
	if err != nil {
		return nil, nil, err
	}
	return u.results, stale, nil
}

// unit is one batch being decided: the state of its people as the writes so far leave it,
// and what the batch will write.
type unit struct {
	businessID string
	prep       *statements
	writer     string   // this store's name among the business's writers
	othersSeq  int64    // the highest seq of the business's other writers when the batch read
	tx         *sqlx.Tx // when set, the batch is written within it instead of in its own transaction
	writes     []consent.Write
	now        time.Time // the unit's clock, read once its state was
	states     map[string]*personState
	claimed    map[string]string // provider ref → reply stored for a message handled before
	categories map[string]bool   // the business's category keys, active or not
	results    []writeResult

	// What the batch writes, filled by decideAll.
	events   []consent.Event
	owner    []int  // owner[j] is the write events[j] belongs to
	guarded  []bool // guarded[j]: a later write about the person was decided as if events[j] were new
	claims   []claim
	pendings map[string]pendingChange // by phone, the last change wins
	dupOf    map[int]int              // a message delivered twice in the batch → its first delivery
}

type claim struct {
	ref, phone string
	channel    consent.Channel
	reply      string
	write      int
}

type pendingChange struct {
	pending *consent.Pending
	channel consent.Channel
	write   int
}
