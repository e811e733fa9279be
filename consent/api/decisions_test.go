package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
)

// More phones of the decision tests.
const (
	dan = "+14155550104"  // acme: offers in, a US number
	eve = "+447911123456" // acme: offers in, a UK number
	fay = "+14155550106"  // nobody's
)

// seedDecisions records the consents of the decision tests, and a WhatsApp message from ann
// an hour ago.
func seedDecisions(e *apiEnv) {
	seedConsents(e)
	e.record(e.optedIn(acme, dan, "offers", testNow.Add(-time.Hour)), e.optedIn(acme, eve, "offers", testNow.Add(-time.Hour)))
	_, err := e.store.DB().Exec(`INSERT INTO inbound_messages (business_id, provider_ref, phone, channel, received_at)
		VALUES ('acme', 'SMwindow', $1, 'whatsapp', $2)`, ann, testNow.Add(-time.Hour))
	require.NoError(e.t, err)
}

// decided is a decision answer as phone allowed code,code…
func decided(t *testing.T, d map[string]any) string {
	t.Helper()
	s := fmt.Sprintf("%s %v", d["phone"], d["allowed"])
	for i, r := range d["reasons"].([]any) {
		reason := r.(map[string]any)
		require.NotEmpty(t, reason["detail"], "every reason says why in words")
		sep := ","
		if i == 0 {
			sep = " "
		}
		s += sep + reason["code"].(string)
	}
	return s
}

func decisionPath(phone, category, channel string) string {
	return "/v1/decisions?" + url.Values{"phone": {phone}, "category": {category}, "channel": {channel}}.Encode()
}

func TestDecisionBeforeASend(t *testing.T) {
	e := newEnv(t)
	seedDecisions(e)
	tests := []struct {
		name                     string
		phone, category, channel string
		want                     string // phone allowed codes
		consent                  string // status of the consent shown; "" for null
		windowUntil              *time.Time
	}{
		{"a person who said STOP to offers may still get order updates", ann, "order_updates", "whatsapp",
			ann + " true opted_in", "opted_in", ptr(testNow.Add(23 * time.Hour))},
		{"a person who said STOP to offers gets none", ann, "offers", "sms", ann + " false opted_out", "opted_out", nil},
		{"a message on WhatsApp opens no window on SMS", ann, "order_updates", "sms", ann + " true opted_in", "opted_in", nil},
		{"a US number opted in to offers gets none on WhatsApp while Meta pauses marketing to +1", dan, "offers", "whatsapp",
			dan + " false us_marketing_pause,opted_in", "opted_in", nil},
		{"a US number opted in to offers gets them by SMS", dan, "offers", "sms", dan + " true opted_in", "opted_in", nil},
		{"a UK number opted in to offers gets them on WhatsApp", eve, "offers", "whatsapp", eve + " true opted_in", "opted_in", nil},
		{"a stranger may not be sent anything", fay, "order_updates", "whatsapp", fay + " false not_opted_in", "", nil},
		{"another business's customer is a stranger here", cleo, "order_updates", "sms", cleo + " false not_opted_in", "", nil},
		{"a national number is read in the business's region", "(415) 555-0101", "order_updates", "sms", ann + " true opted_in", "opted_in", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(acme, decisionPath(tt.phone, tt.category, tt.channel))
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			d := r.JSON(t)
			assert.Equal(t, tt.want, decided(t, d))
			assert.Equal(t, tt.category, d["category"])
			assert.Equal(t, tt.channel, d["channel"])
			if tt.consent == "" {
				assert.Nil(t, d["consent"])
			} else {
				assert.Equal(t, tt.consent, d["consent"].(map[string]any)["status"])
			}
			if tt.windowUntil == nil {
				assert.Nil(t, d["service_window_until"])
			} else {
				assert.Equal(t, tt.windowUntil.Format(time.RFC3339), d["service_window_until"])
			}
		})
	}
}

func TestDecisionQuestionsThatCannotBeAnswered(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name     string
		business string
		path     string
		status   int
		code     string
		says     string
	}{
		{"no phone", acme, "/v1/decisions?category=offers&channel=whatsapp", 400, "invalid_phone", "phone is required"},
		{"a phone with letters", acme, decisionPath("+1800FLOWERS", "offers", "whatsapp"), 400, "invalid_phone", "letters"},
		{"no category", acme, "/v1/decisions?phone=%2B14155550101&channel=whatsapp", 400, "bad_request", "category is required"},
		{"a category of another business", acme, decisionPath(ann, "newsletter", "sms"), 400, "unknown_category", "order_updates, offers, restock"},
		{"no channel", acme, "/v1/decisions?phone=%2B14155550101&category=offers", 400, "bad_request", "channel is required: whatsapp or sms"},
		{"a channel nobody sends on", acme, decisionPath(ann, "offers", "ivr"), 400, "bad_request", `channel must be whatsapp or sms, got "ivr"`},
		{"a parameter the decision does not take", acme, decisionPath(ann, "offers", "sms") + "&template=promo", 400, "bad_request", `"template"`},
		{"no key", nobody, decisionPath(ann, "offers", "sms"), 401, "unauthorized", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.business, tt.path)
			require.Equal(t, tt.status, r.Status, "%s", r.Body)
			assert.Equal(t, tt.code, r.ErrorCode(t))
			assert.Contains(t, errorMessage(t, r), tt.says)
		})
	}
}

// decisionCountingStore counts the store calls that read what decides a send.
type decisionCountingStore struct {
	api.Store
	reads atomic.Int64
}

func (s *decisionCountingStore) DecisionInputs(ctx context.Context, businessID, category string, ch consent.Channel, phones []string) ([]consent.DecisionInput, error) {
	s.reads.Add(1)
	return s.Store.DecisionInputs(ctx, businessID, category, ch, phones)
}

// withCountingStore returns e served over a store that counts decision reads.
func withCountingStore(t *testing.T, e *apiEnv) (*apiEnv, *decisionCountingStore) {
	counting := &decisionCountingStore{Store: e.store}
	opts := api.Options{Clock: func() time.Time { return testNow }, RateLimit: -1}
	srv := httptest.NewServer(newEngine(counting, slog.New(slog.NewTextHandler(t.Output(), nil)), opts))
	t.Cleanup(srv.Close)
	counted := *e
	counted.server = srv
	return &counted, counting
}

func TestDecisionsOfABatchComeInTheOrderAsked(t *testing.T) {
	e := newEnv(t)
	seedDecisions(e)
	e, store := withCountingStore(t, e)
	r := e.post(acme, "/v1/decisions", map[string]any{"channel": "whatsapp", "category": "offers",
		"phones": []string{dan, ann, fay, "4155550101", eve}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	var got []string
	for _, d := range r.JSON(t)["data"].([]any) {
		got = append(got, decided(t, d.(map[string]any)))
	}
	require.Equal(t, []string{
		dan + " false us_marketing_pause,opted_in",
		ann + " false opted_out,us_marketing_pause",
		fay + " false not_opted_in,us_marketing_pause",
		ann + " false opted_out,us_marketing_pause",
		eve + " true opted_in",
	}, got)
	require.EqualValues(t, 1, store.reads.Load(), "one store read for the batch")
}

func TestABatchOfAThousandPhonesIsReadInOneStoreCall(t *testing.T) {
	e := newEnv(t)
	seedDecisions(e)
	e, store := withCountingStore(t, e)
	phones := make([]string, 1000)
	for i := range phones {
		phones[i] = fmt.Sprintf("+4479111%05d", i)
	}
	phones[999] = eve
	r := e.post(acme, "/v1/decisions", map[string]any{"channel": "whatsapp", "category": "offers", "phones": phones})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	data := r.JSON(t)["data"].([]any)
	require.Len(t, data, 1000)
	assert.Equal(t, phones[0]+" false not_opted_in", decided(t, data[0].(map[string]any)))
	assert.Equal(t, eve+" true opted_in", decided(t, data[999].(map[string]any)))
	require.EqualValues(t, 1, store.reads.Load())
}

func TestBatchesThatCannotBeAnswered(t *testing.T) {
	e := newEnv(t)
	seedDecisions(e)
	e, store := withCountingStore(t, e)
	tooMany := make([]string, 1001)
	for i := range tooMany {
		tooMany[i] = ann
	}
	tests := []struct {
		name    string
		body    any
		code    string
		says    []string
		notSays string
		reads   int64 // store reads before the answer
	}{
		{"each bad phone is named by its index", map[string]any{"channel": "sms", "category": "offers",
			"phones": []string{ann, "+1800FLOWERS", bob, "12", "", "+14150000123"}}, "invalid_phone",
			[]string{"phones[1]: ", "letters", "phones[3]: ", "phones[4]: is empty", "phones[5]: ", "not a valid number"}, "phones[0]", 0},
		{"a number written like E.164 that is no number is refused once the store does not know it",
			map[string]any{"channel": "sms", "category": "offers", "phones": []string{ann, "+14150000123"}}, "invalid_phone",
			[]string{"phones[1]: \"+14150000123\" is not a valid number"}, "phones[0]", 1},
		{"a withheld caller's placeholder is no number", map[string]any{"channel": "sms", "category": "offers",
			"phones": []string{"+266696687"}}, "invalid_phone", []string{"phones[0]: caller id withheld"}, "", 1},
		{"a number with its trunk prefix after the country code is told its E.164 form",
			map[string]any{"channel": "whatsapp", "category": "offers", "phones": []string{"+4407911123456"}}, "invalid_phone",
			[]string{`phones[0]: "+4407911123456" is written +447911123456 in E.164`}, "", 1},
		{"no phones", map[string]any{"channel": "sms", "category": "offers", "phones": []string{}}, "bad_request", []string{"phones is required"}, "", 0},
		{"phones missing", map[string]any{"channel": "sms", "category": "offers"}, "bad_request", []string{"phones is required"}, "", 0},
		{"more than a thousand phones", map[string]any{"channel": "sms", "category": "offers", "phones": tooMany}, "bad_request",
			[]string{"1001 phones", "at most 1000"}, "", 0},
		{"an unknown category", map[string]any{"channel": "sms", "category": "promos", "phones": []string{ann}}, "unknown_category", []string{`"promos"`}, "", 0},
		{"no channel", map[string]any{"category": "offers", "phones": []string{ann}}, "bad_request", []string{"channel is required"}, "", 0},
		{"a misspelt field", map[string]any{"channel": "sms", "category": "offers", "phone": []string{ann}}, "bad_request", []string{`unknown field "phone"`}, "", 0},
		{"a phone that is a number", `{"channel":"sms","category":"offers","phones":[4155550101]}`, "bad_request", []string{"phones"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := store.reads.Load()
			r := e.post(acme, "/v1/decisions", tt.body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
			assert.Equal(t, tt.code, r.ErrorCode(t))
			for _, s := range tt.says {
				assert.Contains(t, errorMessage(t, r), s)
			}
			if tt.notSays != "" {
				assert.NotContains(t, errorMessage(t, r), tt.notSays)
			}
			assert.Equal(t, tt.reads, store.reads.Load()-before)
		})
	}
}

func TestABatchNamesAtMostTenBadPhones(t *testing.T) {
	e := newEnv(t)
	phones := make([]string, 25)
	for i := range phones {
		phones[i] = fmt.Sprintf("call me %d", i)
	}
	r := e.post(acme, "/v1/decisions", map[string]any{"channel": "sms", "category": "offers", "phones": phones})
	require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
	msg := errorMessage(t, r)
	assert.Contains(t, msg, "phones[9]: ")
	assert.NotContains(t, msg, "phones[10]")
	assert.Contains(t, msg, "and 15 more")
}

func ptr[T any](v T) *T { return &v }

func TestAWhatsAppStopFromThePlatformDeniesMarketingThereOnly(t *testing.T) {
	e := newEnv(t)
	seedDecisions(e)
	_, fresh, err := e.store.RecordSignal(context.Background(), consent.Signal{BusinessID: acme, Phone: eve,
		Kind: consent.SignalPlatformStop, Channel: consent.ChannelWhatsApp, Sender: "whatsapp:+15005550006",
		ErrorCode: "63033", ProviderRef: "SM0000000000000000000000000000ps01"})
	require.NoError(t, err)
	require.True(t, fresh)
	tests := []struct {
		name, category, channel, want string
	}{
		{"offers on WhatsApp are denied after the person stopped marketing in WhatsApp", "offers", "whatsapp", eve + " false platform_stop,opted_in"},
		{"offers by SMS are still allowed: the stop was WhatsApp's", "offers", "sms", eve + " true opted_in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(acme, decisionPath(eve, tt.category, tt.channel))
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			assert.Equal(t, tt.want, decided(t, r.JSON(t)))
		})
	}
}
