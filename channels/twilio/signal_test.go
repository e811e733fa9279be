package twilio

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestStatusCallbacksGiveSignalsApartFromConsent(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		to       string
		kind     consent.SignalKind // empty: no signal
		channel  consent.Channel
		optedOut bool
	}{
		{"the person stopped marketing inside WhatsApp", "63033", "whatsapp:" + caller, consent.SignalPlatformStop, consent.ChannelWhatsApp, false},
		{"Meta held a marketing message back", "63049", "whatsapp:" + caller, consent.SignalDeliveryLimited, consent.ChannelWhatsApp, false},
		{"the number cannot be reached on WhatsApp", "63014", "whatsapp:" + caller, consent.SignalUndeliverable, consent.ChannelWhatsApp, false},
		{"an opt-out at Twilio stays an opt-out, not a signal", "21610", caller, "", "", true},
		{"a carrier failure says nothing about the person", "30003", caller, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			from := acmeNumber
			if tt.channel == consent.ChannelWhatsApp {
				from = "whatsapp:" + acmeNumber
			}
			form := with(fixture(t, "status-21610"), "ErrorCode", tt.code, "To", tt.to, "From", from)
			e.twiml(e.post("/twilio/status", form))
			e.twiml(e.post("/twilio/status", form)) // Twilio calls back again for the same message
			signals, err := e.store.SignalsAfter(context.Background(), "acme", 0, 10)
			require.NoError(t, err)
			if tt.kind == "" {
				assert.Empty(t, signals)
			} else {
				require.Len(t, signals, 1, "one signal per message, however often Twilio calls back")
				s := signals[0]
				assert.Equal(t, tt.kind, s.Kind)
				assert.Equal(t, caller, s.Phone)
				assert.Equal(t, tt.channel, s.Channel)
				assert.Equal(t, tt.code, s.ErrorCode)
				assert.Equal(t, from, s.Sender)
				assert.Equal(t, form.Get("MessageSid"), s.ProviderRef)
				assert.Equal(t, tt.code, s.Evidence["ErrorCode"], "the callback is kept as evidence")
			}
			if tt.optedOut {
				assert.Len(t, e.events(caller), 3)
			} else {
				assert.Empty(t, e.events(caller), "a signal never changes consent")
			}
		})
	}
}
