package spool

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// recover reads what the file holds, keeps the entries not marked done, and rewrites the file
// with exactly those, so it starts intact whatever the last process left.
func (s *Spool) recover() error {
	path := filepath.Join(s.dir, logName)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: read %s: %w", path, err)
	}
	recs, damaged := scan(data)
	entries, err := pendingOf(recs)
	if err != nil {
		return err
	}
	for _, d := range damaged {
		s.damaged += d.length
	}
	if len(damaged) > 0 {
		aside := fmt.Sprintf("%s.damaged-%d", path, s.now().UnixNano())
		if err := os.WriteFile(aside, data, 0o600); err != nil {
			return fmt.Errorf("spool: keep the damaged file aside: %w", err)
		}
		s.log.Error("spool: damaged records skipped; the intact entries around them are kept",
			"damaged_bytes", s.damaged, "stretches", len(damaged), "first_offset", damaged[0].offset,
			"kept_entries", len(entries), "copy", aside)
	}
	if err := s.rewrite(path, entries); err != nil {
		return err
	}
	for _, e := range entries {
		s.pending = append(s.pending, e)
		s.held[e.person()]++
	}
	if len(entries) > 0 {
		s.log.Warn("spool: opt-outs from an earlier run wait for the database", "entries", len(entries),
			"oldest", entries[0].Received)
	}
	return nil
}

// pendingOf returns the entries of recs not marked done, in order.
func pendingOf(recs []record) ([]Entry, error) {
	done := map[string]bool{}
	for _, r := range recs {
		if r.kind == recordDone {
			done[string(r.content)] = true
		}
	}
	var out []Entry
	for _, r := range recs {
		if r.kind != recordEntry {
			continue
		}
		var e Entry
		if err := json.Unmarshal(r.content, &e); err != nil {
			return nil, fmt.Errorf("spool: an intact record holds no entry: %w", err)
		}
		if !done[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// rewrite replaces the file at path with one holding entries, durably, and opens it for
// appending.
func (s *Spool) rewrite(path string, entries []Entry) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err == nil {
			_, err = f.Write(frame(recordEntry, b))
		}
		if err != nil {
			f.Close()
			return fmt.Errorf("spool: rewrite: %w", err)
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("spool: rewrite: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("spool: rewrite: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("spool: rewrite: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	s.file, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: open %s: %w", path, err)
	}
	return nil
}

// syncDir makes a rename or a new file in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("spool: sync %s: %w", dir, err)
	}
	return nil
}
