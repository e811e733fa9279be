package flows

import (
	"bytes"
	"testing"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/fixtures"
)

// acme returns the demo business, parsed from its business file.
func acme(t testing.TB) consent.Business {
	t.Helper()
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	if err != nil {
		t.Fatalf("parse demo business: %v", err)
	}
	return b
}
