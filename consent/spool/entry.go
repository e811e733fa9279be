package spool

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Entry is one opt-out taken while the database did not answer: enough of the request to
// rebuild its write, exactly as it would have been committed, when it is replayed.
type Entry struct {
	// ID names the entry: returned to an API client as its spool_id, and logged.
	ID string `json:"id"`
	// Kind says which edge took it and so how it is rebuilt (see Replayer.Kinds).
	Kind       string `json:"kind"`
	BusinessID string `json:"business_id"`
	Phone      string `json:"phone"` // E.164
	// Received is when the request reached the service: the time the opt-out is recorded at.
	Received time.Time `json:"received"`
	// Payload is the request, in the form its kind's rebuild reads.
	Payload json.RawMessage `json:"payload"`
}

// person names whose writes an entry holds back until it is replayed.
type person struct{ business, phone string }

func (e Entry) person() person { return person{e.BusinessID, e.Phone} }

// idSource makes spool ids: "sp_", a prefix drawn when the spool is opened, and a sequence
// number, so ids never repeat across restarts or replicas.
type idSource struct {
	prefix string
	next   uint64
}

func newIDSource() idSource {
	return idSource{prefix: "sp_" + strings.ToLower(rand.Text()[:12]) + "_"}
}

func (s *idSource) id() string {
	s.next++
	return fmt.Sprintf("%s%d", s.prefix, s.next)
}
