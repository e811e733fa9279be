package consent

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// RevokesGlobally reports whether an opt-out taken at now reaches every category of the
// business: always when it revokes globally, and from RevocationGlobalFrom on when it revokes
// per category until a date (the FCC's "revoke-all" rule, delayed to 2027-01-31, DOMAIN §7).
// The time comes in, so the rule is the same wherever the opt-out is decided.
func (b Business) RevokesGlobally(now time.Time) bool {
	if b.Revocation == RevocationGlobal {
		return true
	}
	return !b.RevocationGlobalFrom.IsZero() && !now.Before(b.RevocationGlobalFrom)
}

// revocationFile is the revocation: field, either a scope alone (category, global) or a
// mapping {scope: category, global_from: 2027-01-31}.
type revocationFile struct {
	scope      string
	globalFrom string
	line       int // of the field's value; 0 when the file has none
}

// revocationShape says, in the file's terms, what revocation: holds.
const revocationShape = "revocation is category, global, or a mapping such as {scope: category, global_from: 2027-01-31}"

func (r *revocationFile) UnmarshalYAML(n *yaml.Node) error {
	r.line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		r.scope = n.Value
		return nil
	case yaml.MappingNode:
	default:
		return fmt.Errorf("line %d: %s", n.Line, revocationShape)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: revocation.%s must be one value (%s)", v.Line, k.Value, revocationShape)
		}
		switch k.Value {
		case "scope":
			r.scope = v.Value
		case "global_from":
			r.globalFrom = v.Value
		default:
			return fmt.Errorf("line %d: field %s not found in revocation (allowed: scope, global_from)", k.Line, k.Value)
		}
	}
	return nil
}

// validateRevocation reads the scope and the date global revocation starts from. A date is
// the start of that day in UTC, hours before it starts in the Americas: an opt-out taken in
// between reaches more categories, never fewer.
func validateRevocation(r revocationFile, line int, bad func(string, int, string, ...any)) (Revocation, time.Time) {
	if r.line > 0 {
		line = r.line
	}
	scope := Revocation(r.scope)
	if scope == "" {
		scope = RevocationCategory
	} else if !scope.Valid() {
		bad("revocation", line, "%q must be category or global", r.scope)
	}
	if r.globalFrom == "" {
		return scope, time.Time{}
	}
	from, err := parseDate(r.globalFrom)
	switch {
	case err != nil:
		bad("revocation.global_from", line, "%q is not a date such as 2027-01-31 (or an RFC 3339 time)", r.globalFrom)
	case scope == RevocationGlobal:
		bad("revocation.global_from", line, "applies to scope: category only; scope: global already revokes every category")
	}
	return scope, from
}

// parseDate reads 2027-01-31 as the start of that day in UTC, or an RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), err
}
