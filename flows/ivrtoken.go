package flows

import (
	"strconv"
	"strings"

	"github.com/optin/optin/consent"
)

// IVR screens, as written in the step token.
const (
	screenMenu       = 'm' // the main menu
	screenDisclosure = 'd' // the disclosure of one category (its digit) or of all (9)
	screenStopMenu   = 's' // the stop menu
)

// Limits of the IVR.
const (
	// GatherTimeoutSeconds is how long the IVR waits for a key after its prompts end.
	GatherTimeoutSeconds = 6
	// maxReprompts is how many times silence repeats a step before the call ends.
	maxReprompts = 2
	// maxRounds caps the count of recording steps a token carries.
	maxRounds = 999
)

// ivrStep is a position in a call, carried from one request to the next in the step token
// "v1.<screen>.<digit>.a<attempt>.r<rounds>", e.g. "v1.d.2.a1.r0": version 1, the disclosure of
// the category on digit 2, after one silence, nothing recorded yet in this call. Because rounds
// grows with every recording step, the token of a step never repeats within a call unless the
// same request is delivered again, so CallSid + token + category is a safe idempotency key.
type ivrStep struct {
	screen  byte // screenMenu, screenDisclosure or screenStopMenu
	digit   int  // disclosure: the category digit 1–8, or 9 for all; 0 on the menus
	attempt int  // silences so far at this step, 0–maxReprompts
	rounds  int  // steps that recorded something earlier in the call, 0–maxRounds
}

func (s ivrStep) token() string {
	return "v1." + string(s.screen) + "." + strconv.Itoa(s.digit) + ".a" + strconv.Itoa(s.attempt) + ".r" + strconv.Itoa(s.rounds)
}

// parseStep decodes a step token and checks it against the business. Any token that is not
// exactly what token() writes for a step this business can reach is refused.
func parseStep(tok string, b consent.Business) (ivrStep, bool) {
	if len(tok) > 24 {
		return ivrStep{}, false
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 5 || parts[0] != "v1" || len(parts[1]) != 1 {
		return ivrStep{}, false
	}
	digit, err1 := strconv.Atoi(parts[2])
	attempt, err2 := strconv.Atoi(strings.TrimPrefix(parts[3], "a"))
	rounds, err3 := strconv.Atoi(strings.TrimPrefix(parts[4], "r"))
	if err1 != nil || err2 != nil || err3 != nil {
		return ivrStep{}, false
	}
	st := ivrStep{screen: parts[1][0], digit: digit, attempt: attempt, rounds: rounds}
	if st.token() != tok || attempt < 0 || attempt > maxReprompts || rounds < 0 || rounds > maxRounds {
		return ivrStep{}, false
	}
	switch st.screen {
	case screenMenu, screenStopMenu:
		return st, digit == 0
	case screenDisclosure:
		return st, len(stepCategories(b, digit)) > 0
	}
	return ivrStep{}, false
}

// stepCategories are the categories chosen by a digit: its category, or all of them for 9 when
// there is more than one. None for any other digit.
func stepCategories(b consent.Business, digit int) []consent.Category {
	if digit == 9 && len(b.Categories) > 1 {
		return b.Categories
	}
	if c, ok := b.CategoryByDigit(digit); ok {
		return []consent.Category{c}
	}
	return nil
}
