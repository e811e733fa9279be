package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// keptName is what Keep accepts as a name: a plain file name, never a path.
var keptName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}\.json$`)

// Keep stores data under name in the spool directory, durably and whole (written aside, then
// renamed): what a replica needs to take opt-outs when it starts while the database does not
// answer, such as the businesses it last knew.
func (s *Spool) Keep(name string, data []byte) error {
	if !keptName.MatchString(name) {
		return fmt.Errorf("spool: %q is not a name to keep", name)
	}
	path := filepath.Join(s.dir, name)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("spool: keep %s: %w", name, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool: keep %s: %w", name, err)
	}
	return syncDir(s.dir)
}

// Kept returns what Keep stored under name, or os.ErrNotExist.
func (s *Spool) Kept(name string) ([]byte, error) {
	if !keptName.MatchString(name) {
		return nil, fmt.Errorf("spool: %q is not a name to keep", name)
	}
	return os.ReadFile(filepath.Join(s.dir, name))
}
