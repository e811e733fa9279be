package consent

// TemplateCategory is Meta's category of the WhatsApp templates a business sends in one
// consent category. WhatsApp treats them apart: a person's "Stop promotions" and Meta's US
// pause block marketing templates only, never utility or authentication ones (DOMAIN §7).
type TemplateCategory string

// Template categories of WhatsApp.
const (
	TemplateMarketing      TemplateCategory = "marketing"      // offers, announcements, anything promotional
	TemplateUtility        TemplateCategory = "utility"        // updates about something the person asked for: orders, bookings
	TemplateAuthentication TemplateCategory = "authentication" // one-time codes
)

// TemplateCategories lists every template category, in a stable order.
var TemplateCategories = []TemplateCategory{TemplateMarketing, TemplateUtility, TemplateAuthentication}

// Valid reports whether t is one of WhatsApp's template categories.
func (t TemplateCategory) Valid() bool {
	return t == TemplateMarketing || t == TemplateUtility || t == TemplateAuthentication
}
