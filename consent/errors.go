package consent

import "errors"

// Sentinel errors of the domain. The edges map them to HTTP statuses or spoken replies.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalidPhone    = errors.New("invalid phone number")
	ErrWithheldNumber  = errors.New("caller id withheld")
	ErrNoPhoneNumber   = errors.New("address carries no phone number")
	ErrNumberTaken     = errors.New("number belongs to another business")
	ErrUnknownCategory = errors.New("unknown category")
	ErrInvalidCursor   = errors.New("invalid cursor")
	ErrRevokedKey      = errors.New("api key revoked")
	ErrInvalid         = errors.New("invalid input")
)
