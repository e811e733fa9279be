package twilio

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/consent/spool"
	"github.com/optin/optin/fixtures"
)

// spoolEnv is the Twilio edge with a spool, over a database behind a proxy the test breaks.
type spoolEnv struct {
	*env
	proxy   *pgtest.Proxy
	spool   *spool.Spool
	handler *Handler
}

func newSpoolEnv(t *testing.T) *spoolEnv {
	t.Helper()
	proxy, dbURL := pgtest.NewProxy(t, pgtest.NewURL(t))
	store, err := postgres.Open(context.Background(), dbURL)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	require.NoError(t, err)
	_, err = store.ApplyBusiness(context.Background(), b)
	require.NoError(t, err)
	sp, err := spool.Open(t.TempDir(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { sp.Close() })
	h := NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken, Spool: sp, RequestTimeout: 2 * time.Second}, store, nil)
	h.Warm([]consent.Business{b})
	return &spoolEnv{env: &env{t: t, store: store, router: newTestRouter(h), business: b}, proxy: proxy, spool: sp, handler: h}
}

// replay replays the spool until it is empty, as the service does in the background.
func (e *spoolEnv) replay() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	kinds := e.handler.SpoolKinds()
	kinds[spool.KindEvents] = spool.RebuildEvents
	go func() {
		defer close(done)
		e.spool.Run(ctx, spool.Replayer{Store: e.store, Kinds: kinds, MaxBackoff: 50 * time.Millisecond})
	}()
	require.Eventually(e.t, func() bool { return e.spool.Stats().Depth == 0 }, 30*time.Second, 10*time.Millisecond)
	cancel()
	<-done
}

// text is an inbound SMS from the caller.
func text(t *testing.T, sid, body string) url.Values {
	return with(fixture(t, "sms-keyword"), "MessageSid", sid, "SmsSid", sid, "SmsMessageSid", sid, "Body", body)
}

// stopByPhone walks a call to the stop menu and presses digit there, returning the answer.
func (e *spoolEnv) stopByPhone(digit string) node {
	e.t.Helper()
	digits := func(d string) url.Values { return with(fixture(e.t, "voice-gather-digits"), "Digits", d) }
	menu := gatherOf(e.t, e.twiml(e.post("/twilio/voice", fixture(e.t, "voice-incoming"))))
	stopMenu := gatherOf(e.t, e.twiml(e.post(pathOf(e.t, menu.Attrs["action"]), digits("0"))))
	return e.twiml(e.post(pathOf(e.t, stopMenu.Attrs["action"]), digits(digit)))
}

func TestAStopWhileTheDatabaseIsDownIsConfirmedAndRecordedOnceItReturns(t *testing.T) {
	faults := []struct {
		name  string
		fault func(p *pgtest.Proxy)
	}{
		{"the database refuses connections", (*pgtest.Proxy).Refuse},
		{"the database hangs", (*pgtest.Proxy).Freeze},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			e := newSpoolEnv(t)
			f.fault(e.proxy)
			answered := e.post("/twilio/sms", text(t, "SM0000000000000000000000000000s001", "STOP"))
			confirmation := e.twiml(answered)
			require.Len(t, confirmation.Children, 1, "the person is told they are unsubscribed")
			assert.Contains(t, confirmation.Children[0].Text, "unsubscribed")
			assert.Equal(t, 1, e.spool.Stats().Depth, "the opt-out waits in the spool")

			e.proxy.Heal()
			e.replay()
			assert.Equal(t, map[string]consent.Status{"order_updates": consent.StatusOptedOut, "offers": consent.StatusOptedOut,
				"restock": consent.StatusOptedOut}, e.statuses(caller))
			again := e.twiml(e.post("/twilio/sms", text(t, "SM0000000000000000000000000000s001", "STOP")))
			assert.Equal(t, confirmation, again, "Twilio redelivering the message gets the reply that was sent")
			assert.Len(t, e.events(caller), 3, "and records nothing twice")
		})
	}
}

func TestOnlyOptOutsAreTakenWhileTheDatabaseIsDown(t *testing.T) {
	e := newSpoolEnv(t)
	e.post("/twilio/voice", fixture(t, "voice-incoming")) // the business is known
	e.proxy.Refuse()

	assert.Equal(t, http.StatusServiceUnavailable, e.post("/twilio/sms", text(t, "SM0000000000000000000000000000s002", "OFFERS")).Code,
		"asking for a disclosure is refused: it could not be remembered")
	status := e.post("/twilio/status", fixture(t, "status-21610"))
	assert.Equal(t, http.StatusOK, status.Code, "a provider opt-out is taken")
	stopAll := e.stopByPhone("9")
	assert.NotContains(t, says(stopAll)[0], "Sorry", "a stop by phone is confirmed, not apologised for")
	assert.Equal(t, 2, e.spool.Stats().Depth)

	e.proxy.Heal()
	e.replay()
	evs := e.events(caller)
	require.Len(t, evs, 6, "the provider opt-out of every category, then the stop by phone of every category")
	for i, ev := range evs {
		want := consent.ReasonProviderOptOut
		if i >= 3 {
			want = consent.ReasonKeypress
		}
		assert.Equal(t, want, ev.Reason, "replayed in the order taken")
	}
}

func TestAStopByPhoneWhileTheDatabaseIsDownIsRecordedOnce(t *testing.T) {
	e := newSpoolEnv(t)
	e.post("/twilio/voice", fixture(t, "voice-incoming"))
	e.proxy.Refuse()
	stopAll := e.stopByPhone("9")
	assert.NotContains(t, says(stopAll)[0], "Sorry")
	again := e.stopByPhone("9") // Twilio retrying the same step
	assert.Equal(t, stopAll, again)
	e.proxy.Heal()
	e.replay()
	assert.Len(t, e.events(caller), 3, "one opt-out per category, although the step was spooled twice")
	for _, ev := range e.events(caller) {
		assert.Equal(t, consent.ChannelIVR, ev.Channel)
	}

	menu := gatherOf(t, e.twiml(e.post("/twilio/voice", fixture(t, "voice-incoming"))))
	e.proxy.Refuse()
	disclosure := gatherOf(t, e.twiml(e.post(pathOf(t, menu.Attrs["action"]), with(fixture(t, "voice-gather-digits"), "Digits", "2"))))
	agree := e.twiml(e.post(pathOf(t, disclosure.Attrs["action"]), with(fixture(t, "voice-gather-digits"), "Digits", "1")))
	assert.Contains(t, says(agree)[0], "Sorry", "an opt-in by phone is apologised for, never promised")
	assert.Zero(t, e.spool.Stats().Depth)
}

func TestWritesAboutAPersonWithASpooledStopWaitForIt(t *testing.T) {
	e := newSpoolEnv(t)
	e.proxy.Refuse()
	e.twiml(e.post("/twilio/sms", text(t, "SM0000000000000000000000000000s010", "STOP")))
	e.proxy.Heal()

	// The database answers again, but the STOP has not been replayed yet.
	assert.Equal(t, http.StatusServiceUnavailable, e.post("/twilio/sms", text(t, "SM0000000000000000000000000000s011", "START")).Code,
		"a re-subscription may not overtake the STOP before it")
	e.twiml(e.post("/twilio/sms", text(t, "SM0000000000000000000000000000s012", "STOP OFFERS")))
	assert.Equal(t, 2, e.spool.Stats().Depth, "a later opt-out joins the spool behind it")
	e.replay()
	evs := e.events(caller)
	require.Len(t, evs, 3)
	for _, ev := range evs {
		assert.Equal(t, "SM0000000000000000000000000000s010", ev.ProviderRef, "the first STOP stopped everything; the second found nothing left")
	}
	yes := e.post("/twilio/sms", text(t, "SM0000000000000000000000000000s013", "START"))
	assert.Equal(t, http.StatusOK, yes.Code, "once replayed, the person's writes go to the database again")
}

// The edge's spool is the real one.
var _ Spool = (*spool.Spool)(nil)
