package flows

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden conversations in fixtures/flows")

// goldenDir holds the golden whole conversations, one text file each.
const goldenDir = "../fixtures/flows"

// checkGolden compares a transcript with its golden file, or rewrites the file under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldenDir, name+".txt")
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./flows/... -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("conversation differs from %s (run with -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// transcript collects the lines of a conversation.
type transcript struct{ strings.Builder }

func (tr *transcript) line(format string, args ...any) {
	tr.WriteString(strings.TrimRight(fmt.Sprintf(format, args...), " ") + "\n")
}
