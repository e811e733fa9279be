package localpg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
)

// ErrNoBinaries means no PostgreSQL server binaries were found. Its message says how to
// install them.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, postgres) not found on PATH " +
	"or under /usr/lib/postgresql/*/bin; install them with `apt-get install -y postgresql` " +
	"(Debian, Ubuntu) or `brew install postgresql` (macOS), or set DATABASE_URL to a running server")

// debianBinGlob is where Debian and Ubuntu install each major version's server binaries,
// which are not on PATH there.
const debianBinGlob = "/usr/lib/postgresql/*/bin"

// FindBinDir returns the directory holding initdb and postgres: the one of initdb on PATH,
// else the newest version under /usr/lib/postgresql.
func FindBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob(debianBinGlob)
	sort.Slice(dirs, func(i, j int) bool { return majorVersion(dirs[i]) > majorVersion(dirs[j]) })
	for _, dir := range dirs {
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", ErrNoBinaries
}

func hasServerBinaries(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// majorVersion reads 15 out of /usr/lib/postgresql/15/bin; -1 when it is not a number.
func majorVersion(binDir string) int {
	v, err := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	if err != nil {
		return -1
	}
	return v
}

// serverUser is the OS account the server runs as: nil for the current user, or the
// postgres account when running as root, since PostgreSQL refuses to run as root.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a 'postgres' OS user to run the server "+
			"(the postgresql package creates it): %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("reading uid of user postgres: %w", err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("reading gid of user postgres: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// ErrUnreachable means the OS user the server runs as cannot enter a directory above the
// data directory: as root the server runs as postgres, which a 0700 parent keeps out.
var ErrUnreachable = errors.New("the postgres user that runs the server cannot reach the data directory")

// CheckDataDir reports, wrapping ErrUnreachable, when the server's OS user could not reach a
// data directory at dir, so a caller can choose another before starting anything.
func CheckDataDir(dir string) error {
	cred, err := serverUser()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("resolving data directory %s: %w", dir, err)
	}
	return checkReachable(abs, cred)
}

// checkReachable reports a clear error when a directory on path cannot be entered by the
// server's user, which initdb would otherwise report as a bare permission error.
func checkReachable(path string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("checking %s: %w", dir, err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		canEnter := mode&0o001 != 0 ||
			(ok && st.Uid == cred.Uid && mode&0o100 != 0) ||
			(ok && st.Gid == cred.Gid && mode&0o010 != 0)
		if !canEnter {
			return fmt.Errorf("%w: directory %s cannot be entered by it; "+
				"choose a data directory whose parents are world-searchable (chmod o+x)", ErrUnreachable, dir)
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}

// chown gives path to the server's user; a no-op when the server runs as the current user.
func chown(path string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	if err := os.Chown(path, int(cred.Uid), int(cred.Gid)); err != nil {
		return fmt.Errorf("giving %s to the postgres user: %w", path, err)
	}
	return nil
}
