package flows

import (
	"slices"
	"testing"
	"time"

	"github.com/optin/optin/consent"
)

// revokeAllFrom is the date the FCC's revoke-all rule takes effect in the tests.
var revokeAllFrom = time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)

// optedOutCategories lists the categories of the opt-outs among decisions.
func optedOutCategories(decisions []Decision) []string {
	var cats []string
	for _, d := range decisions {
		if d.Action == consent.ActionOptOut {
			cats = append(cats, d.Category)
		}
	}
	return cats
}

func TestDatedRevocationReachesEveryCategoryFromItsDate(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		want []string
	}{
		{"STOP OFFERS the second before the date stops offers only", revokeAllFrom.Add(-time.Second), []string{"offers"}},
		{"STOP OFFERS on the date stops every category", revokeAllFrom, everything},
		{"STOP OFFERS a year after the date stops every category", revokeAllFrom.AddDate(1, 0, 0), everything},
	}
	for _, tt := range tests {
		t.Run("text: "+tt.name, func(t *testing.T) {
			in := textState{optedIn: everything}.input(t, "STOP OFFERS")
			in.Business.RevocationGlobalFrom, in.Now = revokeAllFrom, tt.now
			if got := optedOutCategories(HandleMessage(in).Decisions); !slices.Equal(got, tt.want) {
				t.Errorf("opted out of %q, want %q", got, tt.want)
			}
		})
		t.Run("call: "+tt.name, func(t *testing.T) {
			b := acme(t)
			b.RevocationGlobalFrom = revokeAllFrom
			// Digit 2 in the stop menu stops offers.
			out := IVRStep(IVRInput{Business: b, Caller: caller, Step: "v1.s.0.a0.r0", Digits: "2", Now: tt.now})
			if got := optedOutCategories(out.Decisions); !slices.Equal(got, tt.want) {
				t.Errorf("opted out of %q, want %q", got, tt.want)
			}
		})
	}
}
