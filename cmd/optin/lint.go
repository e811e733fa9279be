package main

import (
	"github.com/optin/optin/consent"
	"github.com/optin/optin/flows"
)

// lintBusiness returns every problem the disclosure lint finds in a business, one per line.
func lintBusiness(b consent.Business) []string {
	problems := flows.LintBusiness(b)
	out := make([]string, len(problems))
	for i, p := range problems {
		out[i] = p.String()
	}
	return out
}
