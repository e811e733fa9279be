package imports

import (
	"fmt"
)

// Row is one consent as an import file holds it: ImportRow of DESIGN §5. Every field is
// text as written in the file; Checker.Event reads and checks them.
type Row struct {
	Phone      string         `json:"phone"`       // E.164, or national in the business's region
	Category   string         `json:"category"`    // a category key of the business
	Status     string         `json:"status"`      // opted_in or opted_out
	OccurredAt string         `json:"occurred_at"` // RFC 3339: when the person gave or withdrew consent
	Channel    string         `json:"channel"`     // where they did: ivr, sms, whatsapp, web, paper or api
	Disclosure string         `json:"disclosure"`  // the exact text they agreed to; needed for an opt-in
	Evidence   map[string]any `json:"evidence"`    // what the system it comes from kept as proof
	Key        string         `json:"key"`         // names the row for good: a row with a key imported before is skipped
}

// Record is a row of a file with the line it starts on (1-based).
type Record struct {
	Line int
	Row  Row
}

// Problem is why the row at Line was not imported, in plain words naming the field.
type Problem struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// LineError is a line of a file that is not a row at all: a Source returns it and moves on
// to the next line.
type LineError Problem

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }
