package consent

import "time"

// ConsentFilter selects consents of one business for lists and exports. Zero fields match all.
type ConsentFilter struct {
	Category     string    // a category key
	Status       Status    // opted_in or opted_out
	UpdatedSince time.Time // only consents updated at or after this instant
}

// ConsentKey is a position in the stable order of a business's consents: by phone, then
// category. The key of a consent never changes, so a walk in this order meets every consent
// that exists when the walk starts exactly once, however often they are updated meanwhile.
type ConsentKey struct {
	Phone    string
	Category string
}

// IsZero reports whether k is the start of the order.
func (k ConsentKey) IsZero() bool { return k.Phone == "" && k.Category == "" }
