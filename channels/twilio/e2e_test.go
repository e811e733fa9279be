package twilio

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

// gatherOf returns the <Gather> of a voice response, failing when there is none.
func gatherOf(t *testing.T, n node) node {
	t.Helper()
	require.Equal(t, []string{"Gather", "Redirect"}, names(n), "a step that waits for a key")
	return n.Children[0]
}

func TestWholeCallMenuCategoryAgree(t *testing.T) {
	e := newEnv(t)
	digits := func(d string) map[string][]string { return with(fixture(t, "voice-gather-digits"), "Digits", d) }

	menu := gatherOf(t, e.twiml(e.post("/twilio/voice", fixture(t, "voice-incoming"))))
	disclosure := gatherOf(t, e.twiml(e.post(pathOf(t, menu.Attrs["action"]), digits("2"))))
	spoken := says(disclosure)
	require.NotEmpty(t, spoken)
	assert.Contains(t, spoken[len(spoken)-1], "WhatsApp")
	assert.Empty(t, e.events(caller), "choosing a category records nothing")

	agreePath := pathOf(t, disclosure.Attrs["action"])
	agreed := e.twiml(e.post(agreePath, digits("1")))
	backAtMenu := gatherOf(t, agreed)
	want := []recorded{{"offers", consent.ActionOptIn, consent.ChannelIVR, consent.ReasonKeypress, "1", "CA5d8f2a7c9e1b3d5f7a9c2e4b6d8f0a1c"}}
	require.Equal(t, want, summary(e.events(caller)))
	assert.Equal(t, spoken[len(spoken)-1], e.events(caller)[0].Disclosure.Text, "the evidence is the disclosure spoken")

	again := e.twiml(e.post(agreePath, digits("1")))
	assert.Equal(t, agreed, again, "Twilio retrying the step hears the same")
	assert.Equal(t, want, summary(e.events(caller)), "and records nothing twice")

	// The caller goes quiet: each silence follows the redirect after the Gather.
	res := e.twiml(e.post(pathOf(t, agreed.Children[1].Text), fixture(t, "voice-gather-timeout")))
	for range 2 {
		require.Equal(t, []string{"Gather", "Redirect"}, names(res))
		res = e.twiml(e.post(pathOf(t, res.Children[1].Text), fixture(t, "voice-gather-timeout")))
	}
	assert.Equal(t, "Hangup", res.Children[len(res.Children)-1].Name, "the third silence ends the call")
	assert.NotEmpty(t, backAtMenu.Attrs["action"])
	assert.Equal(t, map[string]consent.Status{"offers": consent.StatusOptedIn}, e.statuses(caller))
	assert.Len(t, e.events(caller), 1)
}

func TestWholeTextConversationKeywordYesStop(t *testing.T) {
	e := newEnv(t)
	text := func(sid, body string) map[string][]string {
		return with(fixture(t, "sms-keyword"), "MessageSid", sid, "SmsSid", sid, "SmsMessageSid", sid, "Body", body)
	}
	send := func(sid, body string) string {
		return replyOf(t, e.twiml(e.post("/twilio/sms", text(sid, body))))
	}

	disclosure := send("SM00000000000000000000000000000001", "OFFERS")
	assert.Contains(t, disclosure, "WhatsApp")
	assert.Empty(t, e.events(caller))

	confirmation := send("SM00000000000000000000000000000002", "yes")
	optIn := []recorded{{"offers", consent.ActionOptIn, consent.ChannelSMS, consent.ReasonKeyword, "yes", "SM00000000000000000000000000000002"}}
	require.Equal(t, optIn, summary(e.events(caller)))
	assert.Equal(t, disclosure, e.events(caller)[0].Disclosure.Text, "the evidence is the disclosure sent")
	assert.Contains(t, confirmation, "Acme Outdoor")

	assert.Equal(t, confirmation, send("SM00000000000000000000000000000002", "yes"), "a redelivered YES gets the same reply")
	assert.Equal(t, optIn, summary(e.events(caller)), "and records nothing twice")

	// Twilio delivers the STOP several times at once: one reply, recorded once.
	const stopSid = "SM00000000000000000000000000000003"
	replies := make([]string, 5)
	var wg sync.WaitGroup
	for i := range replies {
		wg.Go(func() {
			res := serve(e.router, webhook{path: "/twilio/sms", form: text(stopSid, "STOP")}.signed())
			if res.Code == http.StatusOK {
				replies[i] = res.Body.String()
			}
		})
	}
	wg.Wait()
	for _, r := range replies {
		assert.Equal(t, replies[0], r)
	}
	stopConfirmation := replyOf(t, parseTwiML(t, replies[0]))
	assert.Contains(t, stopConfirmation, "Acme Outdoor")
	var stops []recorded
	for _, c := range []string{"order_updates", "offers", "restock"} {
		stops = append(stops, recorded{c, consent.ActionOptOut, consent.ChannelSMS, consent.ReasonKeyword, "STOP", stopSid})
	}
	assert.Equal(t, append(optIn, stops...), summary(e.events(caller)))

	assert.Empty(t, send("SM00000000000000000000000000000004", "STOP"), "a repeat STOP sends nothing more")
	assert.Empty(t, send("SM00000000000000000000000000000005", "hello"), "nor does anything else")
	assert.Len(t, e.events(caller), 4)
	assert.Equal(t, map[string]consent.Status{"order_updates": consent.StatusOptedOut, "offers": consent.StatusOptedOut,
		"restock": consent.StatusOptedOut}, e.statuses(caller))
}

func TestProviderOptOutRecordedOnce(t *testing.T) {
	e := newEnv(t)
	status := fixture(t, "status-21610")
	e.twiml(e.post("/twilio/status", status))
	require.Len(t, e.events(caller), 3)

	e.twiml(e.post("/twilio/status", status))
	e.twiml(e.post("/twilio/status", with(status, "MessageSid", "SM00000000000000000000000000000009", "SmsSid", "SM00000000000000000000000000000009")))
	assert.Len(t, e.events(caller), 3, "neither the same callback again nor the next failed send records anything")
}

func TestStoreUnavailable(t *testing.T) {
	for _, warm := range []bool{false, true} {
		name := "business not cached"
		if warm {
			name = "business cached"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			if warm {
				e.twiml(e.post("/twilio/voice", fixture(t, "voice-incoming")))
			}
			require.NoError(t, e.store.Close())

			call := e.twiml(e.post(stepPath("v1.d.2.a0.r0"), with(fixture(t, "voice-gather-digits"), "Digits", "1")))
			assert.Equal(t, []string{"Say", "Hangup"}, names(call), "the caller hears an apology, HTTP 200")
			assert.Contains(t, says(call)[0], "Sorry")

			for _, hook := range []webhook{
				{"/twilio/sms", fixture(t, "sms-keyword")},
				{"/twilio/status", fixture(t, "status-21610")},
			} {
				res := e.post(hook.path, hook.form)
				assert.Equal(t, http.StatusServiceUnavailable, res.Code, hook.path+": Twilio's fallback takes over")
				assert.Empty(t, res.Body.String(), hook.path+": no page, no detail")
			}
		})
	}
}

func TestRequestPastItsDeadline(t *testing.T) {
	e := newEnv(t)
	h := NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken, Clock: e.clock.now, RequestTimeout: time.Nanosecond}, e.store, nil)
	router := newTestRouter(h)

	call := e.twiml(serve(router, webhook{"/twilio/voice", fixture(t, "voice-incoming")}.signed()))
	assert.Equal(t, []string{"Say", "Hangup"}, names(call), "the caller hears an apology")
	res := serve(router, webhook{"/twilio/sms", fixture(t, "sms-keyword")}.signed())
	assert.Equal(t, http.StatusServiceUnavailable, res.Code)
	assert.Zero(t, e.countEvents())
}
