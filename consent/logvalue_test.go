package consent_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// digestOf returns the subject digest of loggedOptIn with evidence in place of its own.
func digestOf(evidence map[string]any) [32]byte {
	e := loggedOptIn()
	e.Evidence = evidence
	return consent.SubjectDigest(logSalt(), e)
}

func TestEvidenceEncodesTheSameWhateverTheMapOrder(t *testing.T) {
	build := func() map[string]any {
		ev := map[string]any{}
		for i := range 200 {
			ev[fmt.Sprintf("k%03d", i)] = i
			if i%10 == 0 {
				inner := map[string]any{}
				for j := range 20 {
					inner[fmt.Sprintf("n%d", j)] = []any{j, fmt.Sprint(j), j%2 == 0}
				}
				ev[fmt.Sprintf("obj%d", i)] = inner
			}
		}
		return ev
	}
	want := digestOf(build())
	for range 50 {
		require.Equal(t, want, digestOf(build()))
	}
}

func TestEvidenceEncodesAsTheLedgerReadsItBack(t *testing.T) {
	type form struct {
		Page   string   `json:"page"`
		Fields []string `json:"fields"`
	}
	tests := map[string]any{
		"an int":                   5,
		"an int64 beyond 2^53":     int64(1<<53 + 1),
		"a uint8":                  uint8(7),
		"a float32":                float32(0.1),
		"negative zero":            math.Copysign(0, -1),
		"a json.Number":            json.Number("1.50"),
		"a list of strings":        []string{"a", "b"},
		"a nil list of strings":    []string(nil),
		"a nil list":               []any(nil),
		"a nil object":             map[string]any(nil),
		"an object of strings":     map[string]string{"b": "2", "a": "1"},
		"a struct":                 form{Page: "/o/acme", Fields: []string{"phone"}},
		"bytes (base64 in JSON)":   []byte{0, 1, 2},
		"a pointer to a string":    new("x"),
		"nested lists and objects": []any{map[string]any{"x": []any{1, nil, false}}, []string{}},
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			stored, err := json.Marshal(map[string]any{"v": v})
			require.NoError(t, err)
			var back map[string]any
			require.NoError(t, json.Unmarshal(stored, &back))
			assert.Equal(t, digestOf(back), digestOf(map[string]any{"v": v}))
		})
	}
}

func TestEvidenceValuesOfDifferentKindsDiffer(t *testing.T) {
	values := map[string]any{
		"null": nil, "false": false, "true": true, "zero": 0, "one": 1, "the string 1": "1",
		"the string true": "true", "the empty string": "", "the string null": "null",
		"an empty list": []any{}, "an empty object": map[string]any{}, "a list of null": []any{nil},
		"a list of two": []any{1, 2}, "a list of a list": []any{[]any{1, 2}}, "a list of the empty string": []any{""},
		"an object": map[string]any{"1": 2}, "an object of null": map[string]any{"1": nil},
	}
	seen := map[[32]byte]string{}
	for name, v := range values {
		d := digestOf(map[string]any{"v": v})
		assert.NotContains(t, seen, d, "%s encodes as %s", name, seen[d])
		seen[d] = name
	}
}

func TestEvidenceBoundariesCannotShift(t *testing.T) {
	pairs := [][2]map[string]any{
		{{"a": "bc"}, {"ab": "c"}},
		{{"a": "", "b": ""}, {"a": "b"}},
		{{"a": []any{"x", "y"}}, {"a": []any{"xy"}}},
		{{"a": map[string]any{"b": nil}}, {"a": map[string]any{}, "b": nil}},
	}
	for _, p := range pairs {
		assert.NotEqual(t, digestOf(p[0]), digestOf(p[1]), "%v and %v", p[0], p[1])
	}
	e, f := loggedOptIn(), loggedOptIn()
	e.Phone, e.Input = "+15005550006", "1"
	f.Phone, f.Input = "+1500555000", "61"
	assert.NotEqual(t, consent.SubjectDigest(logSalt(), e), consent.SubjectDigest(logSalt(), f), "phone and input")
}

func TestNoEvidenceIsTheEmptyObject(t *testing.T) {
	assert.Equal(t, digestOf(map[string]any{}), digestOf(nil))
}
