package consent

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// The version tags open each encoding, so a later version can never be read as this one.
const (
	logRecordVersion  = "optin/event/v1"   // the canonical log record of one event
	logSubjectVersion = "optin/subject/v1" // the person's data an event's subject digest commits to
)

// logTimeFormat writes occurred_at as PostgreSQL keeps a timestamptz: UTC, to the microsecond.
const logTimeFormat = "2006-01-02T15:04:05.000000Z"

// LogSaltSize is the length in bytes of the random salt of one event's subject digest.
const LogSaltSize = 32

// NewLogSalt returns a fresh random salt for one event's subject digest. The salt is kept
// beside the event and deleted with the person's data on erasure; without it the digest
// cannot be checked against a guessed phone number.
func NewLogSalt() ([]byte, error) {
	salt := make([]byte, LogSaltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("drawing a log salt: %w", err)
	}
	return salt, nil
}

// SubjectDigest returns HMAC-SHA256, keyed with salt, of the canonical encoding of the
// event's personal data: phone, input, idempotency key (which may hold the phone) and
// evidence. The log record commits to that data only through this digest, so erasure can
// delete the data and the salt while the event's leaf hash still verifies.
//
// The digest is of the event as the ledger holds it: text storable as PostgreSQL text and
// evidence as it reads back from jsonb (see docs/proof.md).
func SubjectDigest(salt []byte, e Event) [32]byte {
	b := appendLogField(nil, []byte(logSubjectVersion))
	b = appendLogField(b, []byte(e.Phone))
	b = appendLogField(b, []byte(e.Input))
	b = appendLogField(b, []byte(e.IdempotencyKey))
	b = appendLogObject(b, e.Evidence)
	mac := hmac.New(sha256.New, salt)
	mac.Write(b)
	var sum [32]byte
	mac.Sum(sum[:0])
	return sum
}

// CanonicalLogRecord returns version 1 of the canonical encoding of a ledger event at
// position logIndex of its business's log: every ledger field in a fixed order, each as a
// uvarint length and its bytes, with the person's data replaced by subjectDigest. The
// encoding is written down byte by byte in docs/proof.md.
//
// occurred_at is encoded to the microsecond, as the ledger stores it; a finer time is
// rounded as PostgreSQL rounds it.
func CanonicalLogRecord(e Event, logIndex int64, subjectDigest [32]byte) []byte {
	b := appendLogField(nil, []byte(logRecordVersion))
	b = appendLogInt(b, e.ID)
	b = appendLogInt(b, logIndex)
	b = appendLogField(b, []byte(e.BusinessID))
	b = appendLogField(b, []byte(e.Category))
	b = appendLogField(b, []byte(e.Action))
	b = appendLogField(b, []byte(e.Channel))
	b = appendLogField(b, []byte(e.Reason))
	b = appendLogField(b, []byte(e.ProviderRef))
	b = appendLogField(b, []byte(logTime(e.OccurredAt)))
	b = appendLogField(b, []byte(disclosureSHA256(e.Disclosure)))
	return appendLogField(b, subjectDigest[:])
}

// LeafHash returns the Merkle log's leaf hash of a canonical record: SHA-256(0x00 ‖ record),
// as RFC 6962 and the Go checksum database hash their records.
func LeafHash(record []byte) tlog.Hash {
	return tlog.RecordHash(record)
}

// logTime is t as the canonical record writes it: UTC, microseconds, a trailing Z. A finer
// time is rounded as PostgreSQL rounds one on input — the fraction of a second read as a
// double, times a million, rounded half to even — so a time encodes the same before it is
// stored and after.
func logTime(t time.Time) string {
	t = t.UTC()
	micros := math.RoundToEven(float64(t.Nanosecond()) / 1e9 * 1e6)
	t = t.Truncate(time.Second).Add(time.Duration(micros) * time.Microsecond)
	return t.Format(logTimeFormat)
}

// disclosureSHA256 is the hex SHA-256 of the disclosure an event answered, or "" without one.
// A disclosure not yet addressed is hashed from its text, as the ledger would address it.
func disclosureSHA256(d *Disclosure) string {
	switch {
	case d == nil:
		return ""
	case d.SHA256 == "" && d.Text != "":
		sum := sha256.Sum256([]byte(d.Text))
		return hex.EncodeToString(sum[:])
	}
	return d.SHA256
}

// appendLogField appends one field: its length as a uvarint, then its bytes.
func appendLogField(b, field []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(field)))
	return append(b, field...)
}

// appendLogInt appends an integer as a field of 8 bytes, big-endian two's complement.
func appendLogInt(b []byte, n int64) []byte {
	return appendLogField(b, binary.BigEndian.AppendUint64(nil, uint64(n)))
}
