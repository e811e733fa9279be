package consent_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/fixtures"
)

// decideNow is the instant the decisions of the tests are asked at.
var decideNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

const (
	usPhone = "+14155550101"
	ukPhone = "+447911123456"
)

// person is what is known about someone before a decision: their consents by category key
// ("in" or "out", recorded an hour before decideNow), platform stops minutes before decideNow
// (negative: after the consents), erasure and their last message.
type person struct {
	consents   map[string]string
	stopsAgo   []time.Duration
	erased     bool
	wroteAgo   time.Duration // 0: never wrote
	phone      string
	noUSPause  bool // the business switched the US pause off
	templateOf map[string]consent.TemplateCategory
}

func (p person) input(category string) consent.DecisionInput {
	in := consent.DecisionInput{Phone: p.phone, Erased: p.erased}
	if in.Phone == "" {
		in.Phone = usPhone
	}
	if st, ok := p.consents[category]; ok {
		status := consent.StatusOptedIn
		if st == "out" {
			status = consent.StatusOptedOut
		}
		in.Consent = &consent.Consent{BusinessID: "acme", Phone: in.Phone, Category: category, Status: status,
			Channel: consent.ChannelIVR, UpdatedAt: decideNow.Add(-time.Hour), EventID: 7}
	}
	for _, ago := range p.stopsAgo {
		in.PlatformStops = append(in.PlatformStops, decideNow.Add(-ago))
	}
	if p.wroteAgo != 0 {
		at := decideNow.Add(-p.wroteAgo)
		in.LastInbound = &at
	}
	return in
}

// demo is the demo business: order_updates are utility templates, offers and restock marketing.
func demo(t *testing.T) consent.Business {
	t.Helper()
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	require.NoError(t, err)
	return b
}

func TestDecideSend(t *testing.T) {
	in, out := "in", "out"
	tests := []struct {
		name     string
		who      person
		category string
		channel  consent.Channel
		allowed  bool
		codes    []consent.DecisionCode
	}{
		{"a person who opted in to order updates may get them on WhatsApp",
			person{consents: map[string]string{"order_updates": in}}, "order_updates", consent.ChannelWhatsApp, true, []consent.DecisionCode{"opted_in"}},
		{"a person who said STOP to offers may still get order updates",
			person{consents: map[string]string{"order_updates": in, "offers": out}}, "order_updates", consent.ChannelWhatsApp, true, []consent.DecisionCode{"opted_in"}},
		{"a person who said STOP to offers gets no offers",
			person{consents: map[string]string{"order_updates": in, "offers": out}, phone: ukPhone}, "offers", consent.ChannelSMS, false, []consent.DecisionCode{"opted_out"}},
		{"a person who never answered for offers gets none",
			person{consents: map[string]string{"order_updates": in}, phone: ukPhone}, "offers", consent.ChannelWhatsApp, false, []consent.DecisionCode{"not_opted_in"}},
		{"a stranger gets nothing",
			person{phone: ukPhone}, "order_updates", consent.ChannelSMS, false, []consent.DecisionCode{"not_opted_in"}},
		{"a person who tapped Stop promotions in WhatsApp gets no offers there",
			person{consents: map[string]string{"offers": in}, phone: ukPhone, stopsAgo: []time.Duration{10 * time.Minute}}, "offers", consent.ChannelWhatsApp, false,
			[]consent.DecisionCode{"platform_stop", "opted_in"}},
		{"a person who stopped promotions in WhatsApp still gets order updates there",
			person{consents: map[string]string{"order_updates": in}, phone: ukPhone, stopsAgo: []time.Duration{10 * time.Minute}}, "order_updates", consent.ChannelWhatsApp, true,
			[]consent.DecisionCode{"opted_in"}},
		{"a person who stopped promotions in WhatsApp still gets offers by SMS",
			person{consents: map[string]string{"offers": in}, stopsAgo: []time.Duration{10 * time.Minute}}, "offers", consent.ChannelSMS, true,
			[]consent.DecisionCode{"opted_in"}},
		{"a person who opted in again after stopping promotions may get offers again",
			person{consents: map[string]string{"offers": in}, phone: ukPhone, stopsAgo: []time.Duration{3 * time.Hour}}, "offers", consent.ChannelWhatsApp, true,
			[]consent.DecisionCode{"opted_in"}},
		{"the latest of several platform stops counts",
			person{consents: map[string]string{"offers": in}, phone: ukPhone, stopsAgo: []time.Duration{3 * time.Hour, 5 * time.Minute}}, "offers", consent.ChannelWhatsApp, false,
			[]consent.DecisionCode{"platform_stop", "opted_in"}},
		{"a US number gets no offers on WhatsApp while Meta pauses marketing to +1",
			person{consents: map[string]string{"offers": in}}, "offers", consent.ChannelWhatsApp, false, []consent.DecisionCode{"us_marketing_pause", "opted_in"}},
		{"a Canadian number is a +1 number too",
			person{consents: map[string]string{"offers": in}, phone: "+16135550123"}, "offers", consent.ChannelWhatsApp, false, []consent.DecisionCode{"us_marketing_pause", "opted_in"}},
		{"a US number still gets offers by SMS",
			person{consents: map[string]string{"offers": in}}, "offers", consent.ChannelSMS, true, []consent.DecisionCode{"opted_in"}},
		{"a UK number gets offers on WhatsApp",
			person{consents: map[string]string{"offers": in}, phone: ukPhone}, "offers", consent.ChannelWhatsApp, true, []consent.DecisionCode{"opted_in"}},
		{"a US number gets offers on WhatsApp once the business switches the pause off",
			person{consents: map[string]string{"offers": in}, noUSPause: true}, "offers", consent.ChannelWhatsApp, true, []consent.DecisionCode{"opted_in"}},
		{"a US number still gets authentication codes on WhatsApp",
			person{consents: map[string]string{"restock": in}, templateOf: map[string]consent.TemplateCategory{"restock": consent.TemplateAuthentication}}, "restock", consent.ChannelWhatsApp, true,
			[]consent.DecisionCode{"opted_in"}},
		{"an opted-out US number hears first that it opted out",
			person{consents: map[string]string{"offers": out}, stopsAgo: []time.Duration{5 * time.Minute}}, "offers", consent.ChannelWhatsApp, false,
			[]consent.DecisionCode{"opted_out", "platform_stop", "us_marketing_pause"}},
		{"an erased person gets nothing, whatever they once said",
			person{consents: map[string]string{"order_updates": in}, erased: true}, "order_updates", consent.ChannelSMS, false, []consent.DecisionCode{"erased", "opted_in"}},
		{"an erased stranger is erased before anything else",
			person{erased: true, phone: ukPhone}, "offers", consent.ChannelWhatsApp, false, []consent.DecisionCode{"erased", "not_opted_in"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := demo(t)
			b.USMarketingPause = !tt.who.noUSPause
			for i, c := range b.Categories {
				if tc, ok := tt.who.templateOf[c.Key]; ok {
					b.Categories[i].TemplateCategory = tc
				}
			}
			cat, ok := b.Category(tt.category)
			require.True(t, ok)
			in := tt.who.input(tt.category)
			d := b.DecideSend(cat, tt.channel, in, decideNow)
			assert.Equal(t, tt.allowed, d.Allowed)
			var codes []consent.DecisionCode
			for _, r := range d.Reasons {
				codes = append(codes, r.Code)
				assert.Regexp(t, `^[A-Z].{20,}\.$`, r.Detail, "%s: a detail is a sentence", r.Code)
			}
			assert.Equal(t, tt.codes, codes)
			assert.Equal(t, in.Phone, d.Phone)
			assert.Equal(t, tt.category, d.Category)
			assert.Equal(t, tt.channel, d.Channel)
			assert.Equal(t, in.Consent, d.Consent)
		})
	}
}

func TestDecisionDetailsNameTheCategoryAndWhen(t *testing.T) {
	b := demo(t)
	offers, _ := b.Category("offers")
	who := person{consents: map[string]string{"offers": "out"}, stopsAgo: []time.Duration{5 * time.Minute}}
	d := b.DecideSend(offers, consent.ChannelWhatsApp, who.input("offers"), decideNow)
	require.Len(t, d.Reasons, 3)
	assert.Equal(t, "This person opted out of offers and promotions on 2026-03-02 11:00 UTC (ivr): send nothing of it until they opt in again.", d.Reasons[0].Detail)
	assert.Contains(t, d.Reasons[1].Detail, "On 2026-03-02 11:55 UTC WhatsApp reported that this person stopped marketing messages")
	assert.Contains(t, d.Reasons[2].Detail, "+1 numbers")
}

func TestServiceWindow(t *testing.T) {
	b := demo(t)
	updates, _ := b.Category("order_updates")
	tests := []struct {
		name  string
		wrote time.Duration // before decideNow; 0: never
		until *time.Time
	}{
		{"a person who wrote an hour ago may be answered for 23 more hours", time.Hour, ptr(decideNow.Add(23 * time.Hour))},
		{"a person who wrote a minute short of a day ago may be answered for a minute", 24*time.Hour - time.Minute, ptr(decideNow.Add(time.Minute))},
		{"the window has closed exactly a day after the message", 24 * time.Hour, nil},
		{"a person who wrote two days ago has no open window", 48 * time.Hour, nil},
		{"a person who never wrote has no window", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			who := person{consents: map[string]string{"order_updates": "in"}, wroteAgo: tt.wrote}
			d := b.DecideSend(updates, consent.ChannelWhatsApp, who.input("order_updates"), decideNow)
			assert.Equal(t, tt.until, d.ServiceWindowUntil)
		})
	}
}

func ptr[T any](v T) *T { return &v }
