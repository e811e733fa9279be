package twilio

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/flows"
)

// message returns the TwiML tree of a messaging reply: one <Message> or nothing.
func messageTwiML(body string) node {
	if body == "" {
		return el("Response", "", nil)
	}
	return el("Response", "", nil, el("Message", body, nil))
}

// replyOf returns the body of the one <Message> of a messaging response, "" for none.
func replyOf(t *testing.T, n node) string {
	t.Helper()
	require.Equal(t, "Response", n.Name)
	require.LessOrEqual(t, len(n.Children), 1, "at most one reply")
	if len(n.Children) == 0 {
		return ""
	}
	require.Equal(t, "Message", n.Children[0].Name)
	return n.Children[0].Text
}

func TestMessagingWebhooks(t *testing.T) {
	const (
		smsSid    = "SM1a3c5e7b9d2f4a6c8e0b2d4f6a8c1e3b"
		buttonSid = "SM6a8c0e2b4d6f8a1c3e5b7d9f2a4c6e8b"
		b64Sid    = "SM4c6e8a0b2d4f6a8c1e3b5d7f9a2c4e6b"
		hintSid   = "SM8f0a2c4e6b8d1f3a5c7e9b2d4f6a8c0e"
		statusSid = "SM9d1f3a5c7e9b2d4f6a8c0e2b4d6f8a1c"
	)
	every := func(action consent.Action, ch consent.Channel, reason consent.Reason, input, ref string) []recorded {
		var out []recorded
		for _, c := range []string{"order_updates", "offers", "restock"} {
			out = append(out, recorded{c, action, ch, reason, input, ref})
		}
		return out
	}
	b64 := fixture(t, "sms-base64").Get("Body")
	tests := []struct {
		name        string
		before      []webhook // delivered first, in order
		hook        webhook
		reply       []string // words the reply must hold; nil for no reply
		want        []recorded
		wantPending []string // categories awaiting a YES afterwards
	}{
		{
			name:        "a keyword gets the disclosure and records nothing yet",
			hook:        webhook{"/twilio/sms", fixture(t, "sms-keyword")},
			reply:       []string{"Acme Outdoor", "WhatsApp", "offers and promotions", "YES", "Msg & data rates may apply"},
			wantPending: []string{"offers"},
		},
		{
			name:        "a short code is answered like a long number",
			hook:        webhook{"/twilio/sms", fixture(t, "sms-short-code")},
			reply:       []string{"Acme Outdoor", "WhatsApp", "order updates", "YES"},
			wantPending: []string{"order_updates"},
		},
		{
			name:        "a WhatsApp text is answered and its sender's number found",
			hook:        webhook{"/twilio/sms", fixture(t, "whatsapp-text")},
			reply:       []string{"Acme Outdoor", "WhatsApp", "order updates"},
			wantPending: []string{"order_updates"},
		},
		{
			name:   "a WhatsApp button opts in to the disclosure it answers",
			before: []webhook{{"/twilio/sms", fixture(t, "whatsapp-text")}},
			hook:   webhook{"/twilio/sms", fixture(t, "whatsapp-button")},
			reply:  []string{"Acme Outdoor", "order updates", "STOP"},
			want:   []recorded{{"order_updates", consent.ActionOptIn, consent.ChannelWhatsApp, consent.ReasonButton, "YES", buttonSid}},
		},
		{
			name:  "a base64 body is decoded before it is read, the raw body kept as input",
			hook:  webhook{"/twilio/sms", fixture(t, "sms-base64")},
			reply: []string{"Acme Outdoor"},
			want:  every(consent.ActionOptOut, consent.ChannelSMS, consent.ReasonNaturalLanguage, b64, b64Sid),
		},
		{
			name: "Twilio's OptOutType STOP is recorded and gets no reply of ours",
			hook: webhook{"/twilio/sms", fixture(t, "sms-opt-out-type")},
			want: every(consent.ActionOptOut, consent.ChannelSMS, consent.ReasonProviderOptOut, "STOP", hintSid),
		},
		{
			name:  "a WhatsApp user without a phone number gets a polite reply and no consent",
			hook:  webhook{"/twilio/sms", fixture(t, "whatsapp-scoped-user")},
			reply: []string{"Acme Outdoor", "phone number"},
		},
		{
			name: "a message to a number no business owns gets an empty response",
			hook: webhook{"/twilio/sms", with(fixture(t, "sms-keyword"), "To", "+16502530000")},
		},
		{
			name: "status 21610 opts the recipient out of every category",
			hook: webhook{"/twilio/status", fixture(t, "status-21610")},
			want: every(consent.ActionOptOut, consent.ChannelSMS, consent.ReasonProviderOptOut, "21610", statusSid),
		},
		{
			name: "a delivered status changes nothing",
			hook: webhook{"/twilio/status", fixture(t, "status-delivered")},
		},
		{
			name: "status 21610 from a number no business owns changes nothing",
			hook: webhook{"/twilio/status", with(fixture(t, "status-21610"), "From", "+16502530000")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			for _, b := range tt.before {
				e.twiml(e.post(b.path, b.form))
			}
			reply := replyOf(t, e.twiml(e.post(tt.hook.path, tt.hook.form)))
			if tt.reply == nil {
				assert.Empty(t, reply)
			}
			for _, word := range tt.reply {
				assert.Contains(t, reply, word)
			}
			assert.Equal(t, tt.want, summary(e.events(caller)))
			if tt.want == nil {
				assert.Zero(t, e.countEvents())
			}
			assert.Equal(t, tt.wantPending, e.pending(caller))
		})
	}
}

func TestMessageKeywordRepliesWhatTheFlowsSay(t *testing.T) {
	e := newEnv(t)
	got := e.twiml(e.post("/twilio/sms", fixture(t, "sms-keyword")))
	want := flows.HandleMessage(flows.MessageInput{Business: e.business, Phone: caller, Channel: consent.ChannelSMS, Text: "OFFERS", Now: t0})
	assert.Equal(t, messageTwiML(want.Reply), got)
}

func TestMessageEvidence(t *testing.T) {
	e := newEnv(t)
	e.twiml(e.post("/twilio/sms", fixture(t, "sms-base64")))
	evs := e.events(caller)
	require.NotEmpty(t, evs)
	decoded, err := base64.StdEncoding.DecodeString(fixture(t, "sms-base64").Get("Body"))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"AccountSid": testAccount, "From": caller, "To": acmeNumber, "DecodedBody": string(decoded)}, evs[0].Evidence)
	assert.Equal(t, t0, evs[0].OccurredAt.UTC())
}

func TestMessageWithoutSidIsRefused(t *testing.T) {
	e := newEnv(t)
	form := fixture(t, "sms-keyword")
	form.Del("MessageSid")
	form.Del("SmsSid")
	assert.Equal(t, http.StatusBadRequest, e.post("/twilio/sms", form).Code)
}

// pending returns the categories awaiting a YES from phone, nil when none.
func (e *env) pending(phone string) []string {
	e.t.Helper()
	p, err := e.store.Pending(context.Background(), "acme", phone)
	require.NoError(e.t, err)
	if p == nil {
		return nil
	}
	return p.Categories
}
