package spool

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"
)

// File names inside the spool directory.
const (
	logName      = "spool.log"    // the records
	rejectedName = "rejected.log" // entries the ledger refused, one JSON line each, kept for people
)

// Spool is the durable local spool of one process. It is safe for concurrent use.
type Spool struct {
	dir  string
	log  *slog.Logger
	lock *os.File
	now  func() time.Time

	mu       sync.Mutex
	file     *os.File
	ids      idSource
	pending  []Entry // in the order taken; replayed from the front
	held     map[person]int
	damaged  int // bytes of damaged records found on open
	rejected int // entries set aside since open
	closed   bool
	wake     chan struct{} // signalled when an entry is added
}

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("spool: closed")

// Open opens (creating when needed) the spool in dir and reads the entries a previous process
// left unreplayed. Damaged records are reported, kept aside in a file next to the spool, and
// skipped; the intact entries before and after them are kept.
func Open(dir string, logger *slog.Logger) (*Spool, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: create %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Spool{dir: dir, log: logger, lock: lock, now: time.Now, ids: newIDSource(),
		held: map[person]int{}, wake: make(chan struct{}, 1)}
	if err := s.recover(); err != nil {
		lock.Close()
		return nil, err
	}
	return s, nil
}

// Append adds e to the spool and returns once it is on disk (fsync'd), with its id and, when
// e had none, its received time set. Only then may the opt-out be answered as recorded.
func (s *Spool) Append(e Entry) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Entry{}, ErrClosed
	}
	e.ID = s.ids.id()
	if e.Received.IsZero() {
		e.Received = s.now()
	}
	e.Received = e.Received.UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return Entry{}, fmt.Errorf("spool: encode entry: %w", err)
	}
	if len(b) > maxContent {
		return Entry{}, fmt.Errorf("spool: entry of %d bytes exceeds %d", len(b), maxContent)
	}
	if _, err := s.file.Write(frame(recordEntry, b)); err != nil {
		return Entry{}, fmt.Errorf("spool: write: %w", err)
	}
	if err := s.file.Sync(); err != nil {
		return Entry{}, fmt.Errorf("spool: fsync: %w", err)
	}
	s.pending = append(s.pending, e)
	s.held[e.person()]++
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return e, nil
}

// Holds reports whether an entry about the person waits to be replayed. Until it is, a new
// write about them must not overtake it: an opt-out joins the spool behind it, anything else
// waits.
func (s *Spool) Holds(businessID, phone string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[person{businessID, phone}] > 0
}

// Stats is what the spool holds, for /readyz and /metrics.
type Stats struct {
	Depth         int           // entries waiting for the database
	OldestAge     time.Duration // how long the oldest of them has waited; 0 when none
	DamagedBytes  int           // bytes of damaged records skipped when the spool was opened
	RejectedTotal int           // entries the ledger refused since then, kept in rejected.log
}

// Stats returns what the spool holds now.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Depth: len(s.pending), DamagedBytes: s.damaged, RejectedTotal: s.rejected}
	if len(s.pending) > 0 {
		st.OldestAge = max(s.now().Sub(s.pending[0].Received), 0)
	}
	return st
}

// nextBatch returns the oldest entries, up to n, about distinct people: they may be replayed
// together, since only the entries of one person have an order to keep.
func (s *Spool) nextBatch(n int) []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[person]bool{}
	var out []Entry
	for _, e := range s.pending {
		if len(out) == n || seen[e.person()] {
			break
		}
		seen[e.person()] = true
		out = append(out, e)
	}
	return out
}

// done marks e recorded. The mark need not be fsync'd: lost in a crash, it only makes the
// entry replay again, which records nothing twice. Once nothing waits, the file is emptied.
func (s *Spool) done(e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.pending, func(p Entry) bool { return p.ID == e.ID })
	if i < 0 {
		return fmt.Errorf("spool: %s is not waiting", e.ID)
	}
	s.pending = slices.Delete(s.pending, i, i+1)
	if s.held[e.person()]--; s.held[e.person()] <= 0 {
		delete(s.held, e.person())
	}
	if s.closed {
		return nil
	}
	if len(s.pending) == 0 {
		s.pending = nil
		if err := s.file.Truncate(0); err != nil {
			return fmt.Errorf("spool: empty: %w", err)
		}
		return nil
	}
	if _, err := s.file.Write(frame(recordDone, []byte(e.ID))); err != nil {
		return fmt.Errorf("spool: mark done: %w", err)
	}
	return nil
}

// Close stops appends and releases the directory. Entries still waiting stay on disk for
// the next process.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.file.Close()
	if lerr := s.lock.Close(); err == nil {
		err = lerr
	}
	return err
}
