package spool

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// setAside keeps an entry the ledger refused in rejected.log, durably, and then marks it
// done: it is never replayed again, and never lost.
func (s *Spool) setAside(e Entry, reason error) error {
	line, err := json.Marshal(struct {
		Entry
		Reason   string    `json:"reason"`
		Rejected time.Time `json:"rejected"`
	}{e, reason.Error(), s.now().UTC()})
	if err != nil {
		return fmt.Errorf("spool: encode rejected entry: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.dir, rejectedName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("spool: keep rejected entry: %w", err)
	}
	s.mu.Lock()
	s.rejected++
	s.mu.Unlock()
	return s.done(e)
}
