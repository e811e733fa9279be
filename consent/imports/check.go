package imports

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/flows"
)

// KeyPrefix namespaces the ledger idempotency keys of imported rows, so that a row's key can
// never meet a key the service makes for its own events.
const KeyPrefix = "import:"

// maxKeyLength bounds a row's key, as the API bounds its Idempotency-Key header.
const maxKeyLength = 255

// EvidenceField is the key of the evidence object the import adds to every event it records:
// {"key": the row's key} and, for an opt-in imported without its disclosure,
// "disclosure_missing": true. A row's own evidence may not use it.
const EvidenceField = "import"

// maxLintCache bounds how many (category, text) lint results a Checker remembers.
const maxLintCache = 4096

// Checker turns the rows of one business's import into ledger events, refusing rows that
// are wrong. It remembers lint results, since a file holds few distinct disclosure texts.
// It is not safe for concurrent use.
type Checker struct {
	business consent.Business
	now      time.Time
	opts     CheckOptions
	lint     map[lintKey][]string
	phones   *phoneReader
}

// CheckOptions are how an import treats what a row may lack.
type CheckOptions struct {
	// AllowMissingDisclosure imports opt-ins that carry no disclosure text, marked so in
	// their evidence; without it such rows are refused.
	AllowMissingDisclosure bool
	// MissingDisclosureHint is added to the refusal of an opt-in without a disclosure: how
	// this caller allows them, e.g. "import with --allow-missing-disclosure".
	MissingDisclosureHint string
}

type lintKey struct{ category, text string }

// NewChecker returns a Checker for rows of b; a row that occurred after now is refused.
func NewChecker(b consent.Business, now time.Time, opts CheckOptions) *Checker {
	return &Checker{business: b, now: now, opts: opts, lint: map[lintKey][]string{}, phones: newPhoneReader(b.Region)}
}

// BusinessID is the business the rows are imported for.
func (c *Checker) BusinessID() string { return c.business.ID }

// Event returns the ledger event of r: its original time and channel, reason import, the
// disclosure under the business's language, the row's evidence with the import's own field
// added, and the key KeyPrefix+r.Key. A row that is wrong gets an error listing every
// problem, each naming its field.
func (c *Checker) Event(r Row) (consent.Event, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	e := consent.Event{BusinessID: c.business.ID, Reason: consent.ReasonImport}

	e.IdempotencyKey = KeyPrefix + r.Key
	switch {
	case r.Key == "":
		bad("key is required: a name for the row that stays the same when the file is imported again, such as its id where it comes from")
	case len(r.Key) > maxKeyLength || strings.IndexFunc(r.Key, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0:
		bad("key must be 1–%d printable ASCII characters", maxKeyLength)
	}
	var err error
	if e.Phone, err = c.phone(r.Phone); err != nil {
		bad("%s", err)
	}
	e.Category = r.Category
	if r.Category == "" {
		bad("category is required: one of %s", strings.Join(c.business.CategoryKeys(), ", "))
	} else if _, ok := c.business.Category(r.Category); !ok {
		bad("category %q is not one of this business's: %s", r.Category, strings.Join(c.business.CategoryKeys(), ", "))
	}
	switch consent.Status(r.Status) {
	case consent.StatusOptedIn:
		e.Action = consent.ActionOptIn
	case consent.StatusOptedOut:
		e.Action = consent.ActionOptOut
	default:
		bad("status must be %s or %s, got %q", consent.StatusOptedIn, consent.StatusOptedOut, r.Status)
	}
	e.Channel = consent.Channel(r.Channel)
	if !e.Channel.Valid() {
		bad("channel must be where the consent was given: one of %s, got %q", channelList(), r.Channel)
	}
	if e.OccurredAt, err = c.occurredAt(r.OccurredAt); err != nil {
		bad("%s", err)
	}
	if e.Evidence, err = evidenceOf(r); err != nil {
		bad("%s", err)
	}
	for _, p := range c.disclosureProblems(r, e.Action) {
		bad("%s", p)
	}
	if len(problems) > 0 {
		return consent.Event{}, errors.New(strings.Join(problems, "; "))
	}
	if r.Disclosure != "" {
		d := consent.NewDisclosure(c.business.ID, e.Channel, c.business.Language, r.Disclosure)
		e.Disclosure = &d
	} else if e.Action == consent.ActionOptIn {
		e.Evidence[EvidenceField].(map[string]any)["disclosure_missing"] = true
	}
	return e, nil
}

// phone reads a row's phone: E.164 or national in the business's region. Letters are refused
// rather than read as the digits of a keypad.
func (c *Checker) phone(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("phone is required, in E.164 such as +14155550100")
	}
	if strings.IndexFunc(raw, unicode.IsLetter) >= 0 {
		return "", fmt.Errorf("phone %q holds letters: write its digits, in E.164 such as +14155550100", raw)
	}
	phone, err := c.phones.normalize(raw)
	if err != nil {
		return "", fmt.Errorf("phone: %w", err)
	}
	return phone, nil
}

// occurredAt reads a row's time, which may not lie after the import's.
func (c *Checker) occurredAt(raw string) (time.Time, error) {
	if raw == "" {
		return time.Time{}, errors.New("occurred_at is required: when the consent was given, such as 2024-05-01T09:30:00Z")
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("occurred_at must be an RFC 3339 time such as 2024-05-01T09:30:00Z, got %q", raw)
	}
	if t.After(c.now) {
		return time.Time{}, fmt.Errorf("occurred_at %s is in the future", raw)
	}
	return t.UTC(), nil
}

// evidenceOf returns a copy of the row's evidence with the import's own field added.
func evidenceOf(r Row) (map[string]any, error) {
	if _, taken := r.Evidence[EvidenceField]; taken {
		return nil, fmt.Errorf("evidence may not hold the key %q: the import records its own there", EvidenceField)
	}
	if path, bad := consent.UnstorableIn("evidence", r.Evidence); bad {
		return nil, fmt.Errorf("%s holds a NUL character or invalid UTF-8", path)
	}
	ev := make(map[string]any, len(r.Evidence)+1)
	maps.Copy(ev, r.Evidence)
	ev[EvidenceField] = map[string]any{"key": r.Key}
	return ev, nil
}

// disclosureProblems checks a row's disclosure: an opt-in needs one (unless allowed without),
// and the text must pass the lint of web opt-ins for the row's category. An opt-out needs
// none, and is never refused over the text that once asked for consent.
func (c *Checker) disclosureProblems(r Row, action consent.Action) []string {
	switch {
	case !consent.StorableText(r.Disclosure):
		return []string{"disclosure holds a NUL character or invalid UTF-8"}
	case r.Disclosure == "" && action == consent.ActionOptIn && !c.opts.AllowMissingDisclosure:
		msg := "disclosure is required for an opt-in: the exact text the person agreed to"
		if c.opts.MissingDisclosureHint != "" {
			msg += " (or " + c.opts.MissingDisclosureHint + ")"
		}
		return []string{msg}
	case r.Disclosure == "" || action != consent.ActionOptIn:
		return nil
	}
	if _, ok := c.business.Category(r.Category); !ok {
		return nil // reported as the category's problem
	}
	missing := c.lintDisclosure(r.Category, r.Disclosure)
	if len(missing) == 0 {
		return nil
	}
	return []string{"disclosure lacks " + strings.Join(missing, ", ")}
}

// lintDisclosure is flows.LintDisclosure for web opt-ins, remembered per category and text.
func (c *Checker) lintDisclosure(category, text string) []string {
	k := lintKey{category, text}
	if missing, ok := c.lint[k]; ok {
		return missing
	}
	if len(c.lint) >= maxLintCache {
		clear(c.lint)
	}
	missing := flows.LintDisclosure(c.business, []string{category}, consent.ChannelWeb, text)
	c.lint[k] = missing
	return missing
}

func channelList() string {
	names := make([]string, len(consent.Channels))
	for i, ch := range consent.Channels {
		names[i] = string(ch)
	}
	return strings.Join(names, ", ")
}
