package localpg

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// procDir is where Linux shows every process.
const procDir = "/proc"

// descendants lists every living process below pid (children, their children…), read from
// /proc. A process that exits while the list is read is simply left out.
func descendants(pid int) ([]int, error) {
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return nil, fmt.Errorf("listing processes (needs Linux /proc): %w", err)
	}
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, state, err := parentOf(p); err == nil && state != "Z" && state != "X" {
			children[ppid] = append(children[ppid], p) // a zombie has ended: only its PID is left
		}
	}
	var out []int
	for queue := children[pid]; len(queue) > 0; queue = queue[1:] {
		out = append(out, queue[0])
		queue = append(queue, children[queue[0]]...)
	}
	return out, nil
}

// parentOf reads the parent PID and the one-letter state of pid from /proc/PID/stat, whose
// second field (the command name, in parentheses) may itself hold spaces and parentheses: the
// fields after it are counted from its last ')'.
func parentOf(pid int) (ppid int, state string, err error) {
	b, err := os.ReadFile(procDir + "/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, "", err
	}
	fields := bytes.Fields(b[bytes.LastIndexByte(b, ')')+1:])
	if len(fields) < 2 {
		return 0, "", errors.New("short /proc stat line")
	}
	ppid, err = strconv.Atoi(string(fields[1]))
	return ppid, string(fields[0]), err
}
