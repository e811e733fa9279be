package consent_test

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// logSalt is the fixed salt of the golden vectors: the bytes 0x00 to 0x1f.
func logSalt() []byte {
	salt := make([]byte, consent.LogSaltSize)
	for i := range salt {
		salt[i] = byte(i)
	}
	return salt
}

// loggedOptIn is an SMS opt-in with a disclosure, nested evidence and a time in microseconds.
func loggedOptIn() consent.Event {
	d := consent.NewDisclosure("acme", consent.ChannelSMS, "en-US",
		"Acme Outdoor: reply YES to get offers and promotions on WhatsApp, up to 4 messages a month. Reply STOP to opt out.")
	return consent.Event{
		ID: 42, BusinessID: "acme", Phone: "+15005550006", Category: "offers",
		Action: consent.ActionOptIn, Channel: consent.ChannelSMS, Reason: consent.ReasonKeyword,
		Input: "yes", ProviderRef: "SM0123456789abcdef0123456789abcdef", Disclosure: &d,
		Evidence: map[string]any{
			"AccountSid": "AC0123456789abcdef0123456789abcdef", "From": "+15005550006", "To": "+15005550001",
			"segments": 1.0, "form": map[string]any{"fields": []any{"phone", true, nil, -2.5}},
		},
		OccurredAt:     time.Date(2026, 3, 1, 12, 34, 56, 123456000, time.UTC),
		IdempotencyKey: "msg:SM0123456789abcdef0123456789abcdef:offers",
	}
}

// loggedOptOut is an API opt-out: no disclosure, no input, no provider reference, no evidence.
func loggedOptOut() consent.Event {
	return consent.Event{
		ID: 1, BusinessID: "acme", Phone: "+447911123456", Category: "order_updates",
		Action: consent.ActionOptOut, Channel: consent.ChannelAPI, Reason: consent.ReasonAPI,
		OccurredAt:     time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		IdempotencyKey: "api:key:k1:opt_out:+447911123456:order_updates",
	}
}

// leafOf returns the leaf hash of e at logIndex, its subject digest taken under salt.
func leafOf(salt []byte, e consent.Event, logIndex int64) [32]byte {
	return consent.LeafHash(consent.CanonicalLogRecord(e, logIndex, consent.SubjectDigest(salt, e)))
}

func TestCanonicalLogRecordGoldenVectors(t *testing.T) {
	tests := []struct {
		name     string
		event    consent.Event
		logIndex int64
		subject  string // hex subject digest
		record   string // hex canonical record
		leaf     string // hex leaf hash
	}{
		{
			name: "an SMS opt-in with a disclosure and nested evidence", event: loggedOptIn(), logIndex: 7,
			subject: "c4ad3666de9490a29528a6893b1879d2ba35e607b87304b9eed7898e760248e5",
			record: "0e" + "6f7074696e2f6576656e742f7631" + // "optin/event/v1"
				"08" + "000000000000002a" + // id 42
				"08" + "0000000000000007" + // log index 7
				"04" + "61636d65" + // "acme"
				"06" + "6f6666657273" + // "offers"
				"06" + "6f70745f696e" + // "opt_in"
				"03" + "736d73" + // "sms"
				"07" + "6b6579776f7264" + // "keyword"
				"22" + "534d3031323334353637383961626364656630313233343536373839616263646566" + // the MessageSid
				"1b" + "323032362d30332d30315431323a33343a35362e3132333435365a" + // "2026-03-01T12:34:56.123456Z"
				"40" + "65343436663662653066343833653439323137326162363464356636623766393931366365633337623531613063326638343033333162326530333861616266" + // the disclosure's hex SHA-256
				"20" + "c4ad3666de9490a29528a6893b1879d2ba35e607b87304b9eed7898e760248e5", // the subject digest
			leaf: "17cbbde4fea1e287adf73700e16e2f908a198bab3222988d0f61bf46ed48f761",
		},
		{
			name: "an API opt-out without disclosure, input or evidence", event: loggedOptOut(), logIndex: 0,
			subject: "0665d7b1ab41ae16cb96d8befbed389a7775dcf0e8464fb712c08a9f9099bd50",
			record: "0e" + "6f7074696e2f6576656e742f7631" + // "optin/event/v1"
				"08" + "0000000000000001" + // id 1
				"08" + "0000000000000000" + // log index 0
				"04" + "61636d65" + // "acme"
				"0d" + "6f726465725f75706461746573" + // "order_updates"
				"07" + "6f70745f6f7574" + // "opt_out"
				"03" + "617069" + // "api"
				"03" + "617069" + // "api"
				"00" + // no provider reference
				"1b" + "323032362d30312d30325430333a30343a30352e3030303030305a" + // "2026-01-02T03:04:05.000000Z"
				"00" + // no disclosure
				"20" + "0665d7b1ab41ae16cb96d8befbed389a7775dcf0e8464fb712c08a9f9099bd50", // the subject digest
			leaf: "4eea18affb4e3a2c77f4c523192db24427c39257b6f73b15ca12d8edc84924f6",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject := consent.SubjectDigest(logSalt(), tt.event)
			record := consent.CanonicalLogRecord(tt.event, tt.logIndex, subject)
			leaf := consent.LeafHash(record)
			assert.Equal(t, tt.subject, hex.EncodeToString(subject[:]), "subject digest")
			assert.Equal(t, tt.record, hex.EncodeToString(record), "canonical record")
			assert.Equal(t, tt.leaf, hex.EncodeToString(leaf[:]), "leaf hash")
		})
	}
}

func TestEveryLedgerFieldChangesTheLeaf(t *testing.T) {
	other := consent.NewDisclosure("acme", consent.ChannelSMS, "en-US", "Another text")
	changes := map[string]func(e *consent.Event){
		"id":                      func(e *consent.Event) { e.ID++ },
		"business":                func(e *consent.Event) { e.BusinessID = "acme2" },
		"category":                func(e *consent.Event) { e.Category = "order_updates" },
		"action":                  func(e *consent.Event) { e.Action = consent.ActionOptOut },
		"channel":                 func(e *consent.Event) { e.Channel = consent.ChannelWhatsApp },
		"reason":                  func(e *consent.Event) { e.Reason = consent.ReasonButton },
		"provider reference":      func(e *consent.Event) { e.ProviderRef += "0" },
		"occurred_at by 1µs":      func(e *consent.Event) { e.OccurredAt = e.OccurredAt.Add(time.Microsecond) },
		"another disclosure":      func(e *consent.Event) { e.Disclosure = &other },
		"no disclosure":           func(e *consent.Event) { e.Disclosure = nil },
		"phone":                   func(e *consent.Event) { e.Phone = "+15005550007" },
		"input":                   func(e *consent.Event) { e.Input = "YES" },
		"idempotency key":         func(e *consent.Event) { e.IdempotencyKey += "x" },
		"an evidence value":       func(e *consent.Event) { e.Evidence["To"] = "+15005550002" },
		"an evidence key more":    func(e *consent.Event) { e.Evidence["extra"] = "" },
		"an evidence key less":    func(e *consent.Event) { delete(e.Evidence, "To") },
		"a nested evidence value": func(e *consent.Event) { e.Evidence["form"] = map[string]any{"fields": []any{"phone", true, nil, 2.5}} },
		"no evidence":             func(e *consent.Event) { e.Evidence = nil },
	}
	base := leafOf(logSalt(), loggedOptIn(), 7)
	seen := map[[32]byte]string{base: "unchanged"}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			e := loggedOptIn()
			change(&e)
			leaf := leafOf(logSalt(), e, 7)
			assert.NotContains(t, seen, leaf, "same leaf as %q", seen[leaf])
			seen[leaf] = name
		})
	}
	t.Run("log index", func(t *testing.T) {
		assert.NotEqual(t, base, leafOf(logSalt(), loggedOptIn(), 8))
	})
	t.Run("salt", func(t *testing.T) {
		salt := logSalt()
		salt[0] ^= 1
		assert.NotEqual(t, base, leafOf(salt, loggedOptIn(), 7))
	})
}

func TestTimeIsEncodedAsTheLedgerStoresIt(t *testing.T) {
	e := loggedOptIn()
	subject := consent.SubjectDigest(logSalt(), e)
	want := consent.CanonicalLogRecord(e, 7, subject)
	inParis := e
	inParis.OccurredAt = e.OccurredAt.In(time.FixedZone("CET", 3600))
	assert.Equal(t, want, consent.CanonicalLogRecord(inParis, 7, subject), "another zone, the same instant")

	// PostgreSQL keeps microseconds, rounding the fraction as a double, half to even.
	stored := map[int]string{
		123456400: "12:34:56.123456Z",
		123456500: "12:34:56.123456Z",
		123456600: "12:34:56.123457Z",
		123457500: "12:34:56.123458Z",
		999999500: "12:34:57.000000Z",
		0:         "12:34:56.000000Z",
	}
	for ns, text := range stored {
		e.OccurredAt = time.Date(2026, 3, 1, 12, 34, 56, ns, time.UTC)
		assert.Contains(t, string(consent.CanonicalLogRecord(e, 7, subject)), "\x1b2026-03-01T"+text, "%d ns", ns)
	}
}

func TestDisclosureNotYetAddressedIsHashedFromItsText(t *testing.T) {
	e := loggedOptIn()
	subject := consent.SubjectDigest(logSalt(), e)
	unaddressed := e
	d := *e.Disclosure
	d.SHA256 = ""
	unaddressed.Disclosure = &d
	assert.Equal(t, consent.CanonicalLogRecord(e, 7, subject), consent.CanonicalLogRecord(unaddressed, 7, subject))
}

func TestErasedEventStillVerifiesFromItsStoredSubjectDigest(t *testing.T) {
	e := loggedOptIn()
	salt := logSalt()
	stored := consent.SubjectDigest(salt, e)
	leaf := consent.LeafHash(consent.CanonicalLogRecord(e, 7, stored))

	erased := e
	erased.Phone, erased.Input, erased.IdempotencyKey = "", "", "erased:42"
	erased.Evidence = map[string]any{"redacted": true}

	assert.Equal(t, leaf, consent.LeafHash(consent.CanonicalLogRecord(erased, 7, stored)),
		"the leaf needs only the stored digest, not the phone, input or evidence")
	assert.NotEqual(t, stored, consent.SubjectDigest(salt, erased), "the digest commits to the erased data")
}

func TestSubjectDigestCannotBeFoundByTryingPhonesWithoutTheSalt(t *testing.T) {
	e := loggedOptIn()
	stored := consent.SubjectDigest(logSalt(), e)
	assert.NotEqual(t, stored, consent.SubjectDigest(nil, e), "no salt")
	other, err := consent.NewLogSalt()
	require.NoError(t, err)
	assert.NotEqual(t, stored, consent.SubjectDigest(other, e), "another salt")
}

func TestNewLogSaltIsFreshEachTime(t *testing.T) {
	a, err := consent.NewLogSalt()
	require.NoError(t, err)
	b, err := consent.NewLogSalt()
	require.NoError(t, err)
	assert.Len(t, a, consent.LogSaltSize)
	assert.Len(t, b, consent.LogSaltSize)
	assert.NotEqual(t, a, b)
}
