package imports

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"

	"github.com/optin/optin/consent"
)

// TestTheFastPathReadsPhonesAsNormalizePhoneDoes compares the phones of an import with
// consent.NormalizePhone over every region's example numbers, the same numbers with digits
// changed, and numbers with a national prefix after the country code.
func TestTheFastPathReadsPhonesAsNormalizePhoneDoes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var inputs []string
	for region := range phonenumbers.GetSupportedRegions() {
		for _, kind := range []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE} {
			ex := phonenumbers.GetExampleNumberForType(region, kind)
			if ex == nil {
				continue
			}
			e164 := phonenumbers.Format(ex, phonenumbers.E164)
			inputs = append(inputs, e164)
			cc := fmt.Sprint(ex.GetCountryCode())
			national := e164[1+len(cc):]
			inputs = append(inputs, "+"+cc+"0"+national, "+"+cc+"1"+national, "+"+cc+national[:len(national)-1])
			for range 20 {
				b := []byte(e164)
				b[1+len(cc)+rng.IntN(len(national))] = byte('0' + rng.IntN(10))
				inputs = append(inputs, string(b))
			}
		}
	}
	inputs = append(inputs, "+266696687", "+14155550100", "+1415555010", "+999123456789")
	p := newPhoneReader("US")
	for _, raw := range inputs {
		want, wantErr := consent.NormalizePhone(raw, "US")
		got, err := p.normalize(raw)
		assert.Equal(t, want, got, "%s", raw)
		assert.Equal(t, wantErr == nil, err == nil, "%s: %v / %v", raw, wantErr, err)
	}
}
