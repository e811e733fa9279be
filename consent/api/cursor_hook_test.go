package api

import "github.com/optin/optin/consent"

// ListCursorAfter is the cursor the API issues for a list page ending at k, under secret, so
// that benchmarks can start deep in a list without walking to it.
func ListCursorAfter(secret []byte, businessID string, k consent.ConsentKey) string {
	return cursorCodec{secret: secret}.encode(businessID, k)
}
