package api

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

// maxPhoneProblems is how many bad phones of a batch one answer names.
const maxPhoneProblems = 10

// phoneBatch is the phones of one batch of decisions. A phone written in E.164 is taken as
// written and checked against libphonenumber only once the store turned out to know nothing
// of it: every number the ledger or the message log holds was checked when it was recorded,
// and the check costs more per phone (about 14 µs) than the batch's whole database read
// does. So a batch about a business's own customers is answered at the database's pace,
// and every phone that is not a number is still refused, by its index.
type phoneBatch struct {
	phones    []string // E.164, in the order asked
	unchecked []int    // indexes of phones taken as written
	problems  []string // what is wrong with the first maxPhoneProblems bad phones
	bad       int      // how many phones are bad
}

// readPhoneBatch reads the phones of a batch: E.164 as written, anything else normalised
// with the business's region.
func readPhoneBatch(raw []string, region string) *phoneBatch {
	pb := &phoneBatch{phones: make([]string, len(raw))}
	for i, r := range raw {
		if looksE164(r) {
			pb.phones[i] = r
			pb.unchecked = append(pb.unchecked, i)
			continue
		}
		pb.check(i, r, region)
	}
	return pb
}

// checkUnknown checks the phones taken as written that have no consent and no message in
// ins (all of them when ins is nil).
func (pb *phoneBatch) checkUnknown(ins []consent.DecisionInput, region string) {
	for _, i := range pb.unchecked {
		if ins == nil || (ins[i].Consent == nil && ins[i].LastInbound == nil) {
			pb.check(i, pb.phones[i], region)
		}
	}
	pb.unchecked = nil
}

// check normalises phone i, noting a problem when it is not a number, or when it looks like
// E.164 but is not how E.164 writes it (the store keeps only that form).
func (pb *phoneBatch) check(i int, raw, region string) {
	phone, err := consent.NormalizePhone(raw, region)
	switch {
	case strings.TrimSpace(raw) == "":
		err = errors.New("is empty")
	case err == nil && looksE164(raw) && phone != raw:
		err = fmt.Errorf("%q is written %s in E.164: ask with that", raw, phone)
	}
	if err != nil {
		if pb.bad++; pb.bad <= maxPhoneProblems {
			pb.problems = append(pb.problems, fmt.Sprintf("phones[%d]: %v", i, err))
		}
		return
	}
	pb.phones[i] = phone
}

// refused answers 400 naming the bad phones, when there are any, and reports whether it did.
func (pb *phoneBatch) refused(c *gin.Context) bool {
	if pb.bad == 0 {
		return false
	}
	msg := strings.Join(pb.problems, "; ")
	if pb.bad > maxPhoneProblems {
		msg += fmt.Sprintf("; and %d more", pb.bad-maxPhoneProblems)
	}
	badRequest(c, codeInvalidPhone, msg)
	return true
}

// looksE164 reports whether s is written as the store writes phones: + and 4 to 15 digits,
// the first not 0.
func looksE164(s string) bool {
	if len(s) < 5 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
