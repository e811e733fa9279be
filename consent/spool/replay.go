package spool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/optin/optin/consent"
)

// Committer records a write in the ledger; *postgres.Store is one.
type Committer interface {
	Commit(ctx context.Context, w consent.Write) (consent.Committed, error)
}

// Rebuild turns an entry back into the write it stands for, as its edge would have committed
// it. An entry that can never become a write (its business is gone, its payload unreadable)
// is an ErrRejected.
type Rebuild func(ctx context.Context, e Entry) (consent.Write, error)

// ErrRejected marks an entry that no replay will ever record: it is set aside in
// rejected.log and reported, never dropped silently.
var ErrRejected = errors.New("spool: entry cannot be recorded")

// Replayer replays a spool's entries into the ledger.
type Replayer struct {
	Store Committer
	Kinds map[string]Rebuild // by Entry.Kind
	Log   *slog.Logger
	// AttemptTimeout bounds one replay attempt; 5 s when zero.
	AttemptTimeout time.Duration
	// MaxBackoff is the longest wait between attempts while the database does not answer, so
	// replay starts at most this long after it answers again; 1 s when zero.
	MaxBackoff time.Duration
}

// maxReplayBatch is how many entries are replayed at once: entries about distinct people,
// committed concurrently so the store takes them in a few batches.
const maxReplayBatch = 256

// Run replays the spool's entries until ctx ends, oldest first: each entry is committed as
// the write it was taken for, with its received time and its idempotency keys, then marked
// done. Entries about distinct people are replayed together; those of one person one after
// another, in the order taken. While the database does not answer, it tries again with a
// growing wait.
func (s *Spool) Run(ctx context.Context, r Replayer) {
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	if r.AttemptTimeout <= 0 {
		r.AttemptTimeout = 5 * time.Second
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = time.Second
	}
	const minBackoff = 50 * time.Millisecond
	backoff, failing := minBackoff, 0
	for ctx.Err() == nil {
		batch := s.nextBatch(maxReplayBatch)
		if len(batch) == 0 {
			select {
			case <-ctx.Done():
			case <-s.wake:
			}
			continue
		}
		errs := r.replayAll(ctx, batch)
		var transient error
		for i, e := range batch {
			switch err := errs[i]; {
			case err == nil:
				if derr := s.done(e); derr != nil {
					r.Log.Error("spool: mark entry done", "id", e.ID, "err", derr)
				}
			case errors.Is(err, ErrRejected):
				r.Log.Error("spool: the ledger refuses an entry; kept in rejected.log", "id", e.ID, "kind", e.Kind,
					"business", e.BusinessID, "phone", consent.MaskPhone(e.Phone), "err", err)
				if serr := s.setAside(e, err); serr != nil {
					r.Log.Error("spool: set entry aside", "id", e.ID, "err", serr)
					transient = serr
				}
			default:
				transient = err
			}
		}
		if transient == nil {
			if failing > 0 {
				r.Log.Info("spool: the database answers again; replaying", "after_failures", failing)
			}
			backoff, failing = minBackoff, 0
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if failing == 0 {
			r.Log.Warn("spool: replay waits for the database", "depth", s.Stats().Depth, "err", transient)
		}
		failing++
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, r.MaxBackoff)
	}
}

// replayAll replays entries about distinct people at once and returns each one's outcome.
func (r Replayer) replayAll(ctx context.Context, batch []Entry) []error {
	errs := make([]error, len(batch))
	var wg sync.WaitGroup
	for i, e := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.replay(ctx, e)
		}()
	}
	wg.Wait()
	return errs
}

// replay commits the write of one entry.
func (r Replayer) replay(ctx context.Context, e Entry) error {
	rebuild, ok := r.Kinds[e.Kind]
	if !ok {
		return fmt.Errorf("%w: no replay for entries of kind %q", ErrRejected, e.Kind)
	}
	ctx, cancel := context.WithTimeout(ctx, r.AttemptTimeout)
	defer cancel()
	w, err := rebuild(ctx, e)
	if err != nil {
		return err
	}
	w.Received = e.Received
	_, err = r.Store.Commit(ctx, w)
	if errors.Is(err, consent.ErrInvalid) || errors.Is(err, consent.ErrUnknownCategory) {
		return fmt.Errorf("%w: %w", ErrRejected, err)
	}
	return err
}
