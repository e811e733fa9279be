package consent

import "time"

// Business is one company whose customers give consent, as loaded from its business file.
type Business struct {
	ID         string     // slug, unique, used in API scoping and idempotency keys
	Name       string     // spoken and written in every disclosure
	Help       string     // how to reach the business, used in HELP replies
	Numbers    []string   // Twilio numbers of the business: E.164 or short codes
	Language   string     // default language of disclosures, e.g. en-US
	Region     string     // default region for national phone numbers, e.g. US
	Revocation Revocation // how far one opt-out reaches
	Categories []Category // active categories in menu order
	// Messages overrides built-in texts: language → message name → template. The flows
	// package defines the message names and lints the result.
	Messages map[string]map[string]string
	// RevocationGlobalFrom, when set, is the instant from which every opt-out reaches every
	// category even though Revocation is per category: the FCC's dated "revoke-all" rule. See
	// RevokesGlobally.
	RevocationGlobalFrom time.Time
	// USMarketingPause says that Meta delivers no marketing templates to +1 numbers (DOMAIN
	// §7), so the send decision denies them on WhatsApp. True unless the business file says
	// otherwise.
	USMarketingPause bool
}

// Category is one kind of message a person can opt in to separately.
type Category struct {
	Key       string // stable identifier, e.g. order_updates
	Label     string // how it is named to people, e.g. "order updates"
	Keyword   string // SMS keyword, upper case A–Z/0–9, e.g. ORDERS
	Digit     int    // IVR digit 1–8
	Frequency string // how often messages come, e.g. "up to 4 messages a month"
	Position  int    // order in menus, 0-based
	// TemplateCategory is the WhatsApp template category the business sends this category's
	// messages in; marketing unless the business file says otherwise.
	TemplateCategory TemplateCategory
}

// Category returns the category with the given key.
func (b Business) Category(key string) (Category, bool) {
	for _, c := range b.Categories {
		if c.Key == key {
			return c, true
		}
	}
	return Category{}, false
}

// CategoryByKeyword returns the category whose keyword is kw (already upper case).
func (b Business) CategoryByKeyword(kw string) (Category, bool) {
	for _, c := range b.Categories {
		if c.Keyword == kw {
			return c, true
		}
	}
	return Category{}, false
}

// CategoryByDigit returns the category chosen by an IVR digit.
func (b Business) CategoryByDigit(d int) (Category, bool) {
	for _, c := range b.Categories {
		if c.Digit == d {
			return c, true
		}
	}
	return Category{}, false
}

// CategoryKeys returns the keys of every category in menu order.
func (b Business) CategoryKeys() []string {
	keys := make([]string, len(b.Categories))
	for i, c := range b.Categories {
		keys[i] = c.Key
	}
	return keys
}
