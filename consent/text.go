package consent

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// StorableText reports whether s can be stored as PostgreSQL text and jsonb: valid UTF-8
// without NUL characters. Messages arrive with whatever bytes a phone or a carrier sent.
func StorableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// StoredText returns s made storable: each NUL and each run of invalid bytes becomes U+FFFD,
// the replacement character. Whoever stores it keeps the raw bytes beside it when they differ.
func StoredText(s string) string {
	if StorableText(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
}

// UnstorableIn returns the path, below path, of the first string in a decoded JSON value —
// an object's keys included — that StorableText refuses, and whether there is one. Paths read
// as evidence.form.fields[1]; a bad key as evidence (a key).
func UnstorableIn(path string, v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return path, !StorableText(v)
	case []string:
		for i, s := range v {
			if !StorableText(s) {
				return fmt.Sprintf("%s[%d]", path, i), true
			}
		}
	case []any:
		for i, x := range v {
			if p, bad := UnstorableIn(fmt.Sprintf("%s[%d]", path, i), x); bad {
				return p, true
			}
		}
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		for _, k := range keys {
			if !StorableText(k) {
				return path + " (a key)", true
			}
			if p, bad := UnstorableIn(path+"."+k, v[k]); bad {
				return p, true
			}
		}
	}
	return "", false
}
