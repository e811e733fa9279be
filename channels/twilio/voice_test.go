package twilio

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/fixtures"
	"github.com/optin/optin/flows"
)

// wantVoice is the TwiML a flows step must be rendered as: prompts inside a DTMF <Gather>
// posting to the next step, then a <Redirect> to the same step marked as a timeout; or the
// prompts and a <Hangup/>.
func wantVoice(out flows.IVROutput) node {
	sayNodes := make([]node, 0, len(out.Prompts))
	for _, p := range out.Prompts {
		sayNodes = append(sayNodes, el("Say", p.Text, []string{"language", p.Language}))
	}
	if out.Gather == nil {
		return el("Response", "", nil, append(sayNodes, el("Hangup", "", nil))...)
	}
	action := testPublicURL + stepPath(out.Next)
	return el("Response", "", nil,
		el("Gather", "", []string{"input", "dtmf", "action", action, "method", "POST",
			"numDigits", strconv.Itoa(out.Gather.NumDigits), "timeout", strconv.Itoa(out.Gather.TimeoutSeconds),
			"actionOnEmptyResult", "false"}, sayNodes...),
		el("Redirect", action+"&timeout=1", []string{"method", "POST"}))
}

func TestVoiceWebhooks(t *testing.T) {
	const callSid = "CA5d8f2a7c9e1b3d5f7a9c2e4b6d8f0a1c"
	tests := []struct {
		name    string
		path    string
		form    url.Values
		flow    flows.IVRInput // what the flows must have been asked; business, caller and time filled in
		want    []recorded     // the caller's ledger afterwards
		wantAll int            // events in the whole ledger afterwards
	}{
		{
			name: "an incoming call hears the greeting and the menu",
			path: "/twilio/voice", form: fixture(t, "voice-incoming"),
		},
		{
			name: "pressing 2 at the menu speaks the offers disclosure and records nothing",
			path: stepPath("v1.m.0.a0.r0"), form: fixture(t, "voice-gather-digits"),
			flow: flows.IVRInput{Step: "v1.m.0.a0.r0", Digits: "2"},
		},
		{
			name: "pressing 1 after the offers disclosure records the opt-in",
			path: stepPath("v1.d.2.a0.r0"), form: with(fixture(t, "voice-gather-digits"), "Digits", "1"),
			flow:    flows.IVRInput{Step: "v1.d.2.a0.r0", Digits: "1"},
			want:    []recorded{{"offers", consent.ActionOptIn, consent.ChannelIVR, consent.ReasonKeypress, "1", callSid}},
			wantAll: 1,
		},
		{
			name: "the stop menu records the opt-out of the category pressed",
			path: stepPath("v1.s.0.a0.r0"), form: with(fixture(t, "voice-gather-digits"), "Digits", "1"),
			flow:    flows.IVRInput{Step: "v1.s.0.a0.r0", Digits: "1"},
			want:    []recorded{{"order_updates", consent.ActionOptOut, consent.ChannelIVR, consent.ReasonKeypress, "1", callSid}},
			wantAll: 1,
		},
		{
			name: "silence after the menu reprompts the same step",
			path: stepPath("v1.m.0.a0.r0") + "&timeout=1", form: fixture(t, "voice-gather-timeout"),
			flow: flows.IVRInput{Step: "v1.m.0.a0.r0", Timeout: true},
		},
		{
			name: "a bare # is silence, never an answer",
			path: stepPath("v1.d.2.a0.r0"), form: with(fixture(t, "voice-gather-digits"), "Digits", "", "FinishedOnKey", "#"),
			flow: flows.IVRInput{Step: "v1.d.2.a0.r0", Digits: ""},
		},
		{
			name: "a withheld caller is told how to opt in and nothing is recorded",
			path: "/twilio/voice", form: fixture(t, "voice-withheld"),
			flow: flows.IVRInput{Withheld: true},
		},
		{
			name: "a withheld caller pressing 1 on a disclosure records nothing",
			path: stepPath("v1.d.2.a0.r0"), form: with(fixture(t, "voice-withheld"), "Digits", "1"),
			flow: flows.IVRInput{Withheld: true, Step: "v1.d.2.a0.r0", Digits: "1"},
		},
		{
			name: "a machine answering is told how to opt in and nothing is recorded",
			path: "/twilio/voice", form: fixture(t, "voice-machine"),
			flow: flows.IVRInput{Machine: true},
		},
		{
			name: "an unreadable step token starts over at the menu and records nothing",
			path: stepPath("v9.d.2"), form: with(fixture(t, "voice-gather-digits"), "Digits", "1"),
			flow: flows.IVRInput{Step: "v9.d.2", Digits: "1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			got := e.twiml(e.post(tt.path, tt.form))

			in := tt.flow
			in.Business, in.Now = e.business, t0
			if !in.Withheld {
				in.Caller = caller
			}
			out := flows.IVRStep(in)
			assert.Equal(t, wantVoice(out), got)
			assert.Equal(t, tt.want, summary(e.events(caller)))
			assert.Equal(t, tt.wantAll, e.countEvents())
		})
	}
}

func TestVoiceOptInKeepsTheDisclosureSpoken(t *testing.T) {
	e := newEnv(t)
	form := fixture(t, "voice-gather-digits")
	disclosure := says(e.twiml(e.post(stepPath("v1.m.0.a0.r0"), form)))
	require.NotEmpty(t, disclosure)

	e.twiml(e.post(stepPath("v1.d.2.a0.r0"), with(form, "Digits", "1")))
	evs := e.events(caller)
	require.Len(t, evs, 1)
	require.NotNil(t, evs[0].Disclosure)
	assert.Equal(t, disclosure[len(disclosure)-1], evs[0].Disclosure.Text, "the evidence is the exact text spoken")
	assert.Equal(t, consent.ChannelIVR, evs[0].Disclosure.Channel)
	assert.Equal(t, "en-US", evs[0].Disclosure.Language)
	assert.Equal(t, map[string]any{"AccountSid": testAccount, "From": caller, "To": acmeNumber}, evs[0].Evidence)
	assert.Equal(t, t0, evs[0].OccurredAt.UTC())
}

func TestVoiceUnknownNumber(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/twilio/voice", stepPath("v1.d.2.a0.r0")} {
		got := e.twiml(e.post(path, with(fixture(t, "voice-unknown-number"), "Digits", "1")))
		assert.Equal(t, el("Response", "", nil,
			el("Say", "Sorry, this number is not configured to take calls. Goodbye.", []string{"language", "en-US"}),
			el("Hangup", "", nil)), got, path)
	}
	assert.Zero(t, e.countEvents())
}

// countEvents counts every event of the ledger, whoever it is about.
func (e *env) countEvents() int {
	e.t.Helper()
	var n int
	require.NoError(e.t, e.store.DB().GetContext(context.Background(), &n, `SELECT count(*) FROM consent_events`))
	return n
}

func TestActionURLsFollowTheRouterBasePath(t *testing.T) {
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	require.NoError(t, err)
	h := NewHandler(Config{PublicURL: testPublicURL + "/", AuthToken: testToken, Clock: (&fakeClock{t: t0}).now},
		&numberBook{byNumber: map[string]consent.Business{acmeNumber: b}}, nil)
	e := gin.New()
	h.Register(e.Group("/hooks"))

	res := serve(e, webhook{"/hooks/twilio/voice", fixture(t, "voice-incoming")}.signed())
	require.Equal(t, http.StatusOK, res.Code)
	got := parseTwiML(t, res.Body.String())
	require.Equal(t, []string{"Gather", "Redirect"}, names(got))
	assert.Equal(t, testPublicURL+"/hooks/twilio/voice/step?s=v1.m.0.a0.r0", got.Children[0].Attrs["action"])
	assert.Equal(t, testPublicURL+"/hooks/twilio/voice/step?s=v1.m.0.a0.r0&timeout=1", got.Children[1].Text)
}
