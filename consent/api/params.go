package api

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// Page sizes of lists.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// queryLimit reads ?limit=, 1–1000, default 100; on a bad value it answers 400 and reports false.
func queryLimit(c *gin.Context) (int, bool) {
	raw, ok := c.GetQuery("limit")
	if !ok {
		return defaultLimit, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxLimit {
		badRequest(c, codeBadRequest, fmt.Sprintf("limit must be an integer from 1 to %d, got %q", maxLimit, raw))
		return 0, false
	}
	return n, true
}

// queryFilter reads ?category=&status=&updated_since= against the business's categories.
func queryFilter(c *gin.Context, b consent.Business) (consent.ConsentFilter, bool) {
	var f consent.ConsentFilter
	if cat := c.Query("category"); cat != "" {
		if !knownCategory(c, b, cat) {
			return f, false
		}
		f.Category = cat
	}
	if st := c.Query("status"); st != "" {
		if !consent.Status(st).Valid() {
			badRequest(c, codeBadRequest, fmt.Sprintf("status must be %s or %s, got %q", consent.StatusOptedIn, consent.StatusOptedOut, st))
			return f, false
		}
		f.Status = consent.Status(st)
	}
	if since := c.Query("updated_since"); since != "" {
		t, err := time.Parse(time.RFC3339Nano, since)
		if err != nil {
			badRequest(c, codeBadRequest, fmt.Sprintf("updated_since must be an RFC 3339 time such as 2025-04-11T00:00:00Z (write + as %%2B), got %q", since))
			return f, false
		}
		f.UpdatedSince = t
	}
	return f, true
}

// knownCategory answers 400 naming the valid keys when key is not one of the business's.
func knownCategory(c *gin.Context, b consent.Business, key string) bool {
	if _, ok := b.Category(key); ok {
		return true
	}
	badRequest(c, codeUnknownCategory, unknownCategoryMessage(b, key))
	return false
}

func unknownCategoryMessage(b consent.Business, key string) string {
	return fmt.Sprintf("unknown category %q; valid categories: %s", key, strings.Join(b.CategoryKeys(), ", "))
}

// unknownCategories returns the keys that are not categories of b, in the order given.
func unknownCategories(b consent.Business, keys []string) []string {
	var unknown []string
	for _, k := range keys {
		if _, ok := b.Category(k); !ok && !slices.Contains(unknown, k) {
			unknown = append(unknown, k)
		}
	}
	return unknown
}

// pathPhone reads the phone of the path: E.164 written with %2B or a literal +, or a national
// number in the business's region, as in bodies and query parameters.
func pathPhone(c *gin.Context, region string) (string, bool) {
	raw := c.Param("phone")
	if unescaped, err := url.PathUnescape(raw); err == nil {
		raw = unescaped
	}
	return bodyPhone(c, raw, region)
}

// bodyPhone normalises a phone given in a request to E.164; national numbers use region.
func bodyPhone(c *gin.Context, raw, region string) (string, bool) {
	phone, err := consent.NormalizePhone(raw, region)
	if err != nil {
		badRequest(c, codeInvalidPhone, "phone: "+err.Error())
		return "", false
	}
	return phone, true
}

// only answers 400 for a query parameter the route does not take, naming it and the ones it
// takes, and for one given twice: a typo (stauts=opted_in) must never widen a list to people
// who said STOP.
func only(params ...string) gin.HandlerFunc {
	takes := "this endpoint takes no query parameters"
	if len(params) > 0 {
		takes = "this endpoint takes: " + strings.Join(params, ", ")
	}
	return func(c *gin.Context) {
		q := c.Request.URL.Query()
		var unknown []string
		for name, values := range q {
			switch {
			case !slices.Contains(params, name):
				unknown = append(unknown, name)
			case len(values) > 1:
				badRequest(c, codeBadRequest, fmt.Sprintf("query parameter %q is given %d times; give it once", name, len(values)))
				return
			}
		}
		if len(unknown) > 0 {
			slices.Sort(unknown)
			quoted := make([]string, len(unknown))
			for i, u := range unknown {
				quoted[i] = strconv.Quote(u)
			}
			noun := "parameter"
			if len(quoted) > 1 {
				noun = "parameters"
			}
			badRequest(c, codeBadRequest, fmt.Sprintf("unknown query %s %s; %s", noun, strings.Join(quoted, ", "), takes))
			return
		}
		c.Next()
	}
}
