package main

import (
	"fmt"
	"strings"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/flows"
)

// lintBusiness returns every problem the disclosure lint finds in a business, one per line,
// each with the line of its business file it comes from when lines (from
// consent.BusinessFileLines) knows it: the message override at fault, else the category, else
// the business's name.
func lintBusiness(b consent.Business, lines map[string]int) []string {
	problems := flows.LintBusiness(b)
	out := make([]string, len(problems))
	for i, p := range problems {
		out[i] = p.String()
		if l := problemLine(b, p, lines); l > 0 {
			out[i] = fmt.Sprintf("line %d: %s", l, out[i])
		}
	}
	return out
}

// problemLine finds where in the file a lint problem comes from; 0 when unknown.
func problemLine(b consent.Business, p flows.LintProblem, lines map[string]int) int {
	if p.Message != "" && p.Language != "" {
		if l, ok := lines["messages."+p.Language+"."+p.Message]; ok {
			return l
		}
	}
	if key, _, _ := strings.Cut(p.Category, "+"); key != "" {
		if c, ok := b.Category(key); ok {
			if l, ok := lines[fmt.Sprintf("categories[%d]", c.Position)]; ok {
				return l
			}
		}
	}
	return lines["name"]
}
