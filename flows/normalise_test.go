package flows

import (
	"strings"
	"testing"
	"unicode"
)

func TestNormalise(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lower case stop reads STOP", "stop", "STOP"},
		{"STOP with punctuation and spaces", "  Stop!!!  ", "STOP"},
		{"emoji around a keyword are dropped", "👍 yes 🙏🏽", "YES"},
		{"accented Spanish yes", "Sí", "SI"},
		{"French arrêt loses its accent", "ARRÊT", "ARRET"},
		{"full-width letters fold to ASCII", "ＳＴＯＰ", "STOP"},
		{"Cyrillic look-alikes read as Latin", "ЅТОР", "STOP"},
		{"Greek look-alikes read as Latin", "ΝΟ", "NO"},
		{"Greek capitals that imitate Latin", "ΟΚ", "OK"},
		{"opt out becomes one word", "opt out", "OPTOUT"},
		{"opt-out becomes one word", "Opt-Out please", "OPTOUT PLEASE"},
		{"stop all becomes STOPALL", "stop   all", "STOPALL"},
		{"stop, all with a comma still joins", "stop, all", "STOPALL"},
		{"apostrophes do not split words", "don’t text me", "DONT TEXT ME"},
		{"tabs and newlines collapse", "yes\t\n offers", "YES OFFERS"},
		{"German sharp s folds", "straße", "STRASSE"},
		{"only punctuation is empty", "?!...", ""},
		{"digits are kept", "press 1", "PRESS 1"},
		{"ligatures expand", "ﬁne", "FINE"},
		{"invisible zero-width characters are dropped", "st\u200dop\u200b", "STOP"},
		{"soft hyphen inside a word is dropped", "un\u00adsubscribe", "UNSUBSCRIBE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalise(tt.in); got != tt.want {
				t.Errorf("Normalise(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"stop", "STOP ALL", "opt-out", "Sí", "ЅТОР", "👍", "ǅ", "ﬀ", "İ", "ς", "ё",
		"don't", "\xff\xfe", "a\u0301", "한국어", "नमस्ते", "ⅫⅠ", "STOP OPT OUT ALL"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalise(s)
		if again := Normalise(got); again != got {
			t.Fatalf("Normalise is not idempotent: %q → %q → %q", s, got, again)
		}
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Fatalf("Normalise(%q) = %q has stray spaces", s, got)
		}
		for _, r := range got {
			if r != ' ' && !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r) {
				t.Fatalf("Normalise(%q) = %q keeps %q", s, got, r)
			}
			if unicode.ToUpper(r) != r {
				t.Fatalf("Normalise(%q) = %q keeps lower-case %q", s, got, r)
			}
		}
	})
}
