package twilio

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bindThrough runs a signed request through the signature middleware and binds dst.
func bindThrough(t *testing.T, w webhook, dst any) {
	t.Helper()
	h := NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken}, noBusinesses{}, nil)
	gin.SetMode(gin.TestMode)
	e := gin.New()
	e.POST("/bind", h.limitBody, h.verifySignature, func(c *gin.Context) {
		require.NoError(t, bindForm(c, dst))
		c.Status(http.StatusNoContent)
	})
	w.path = "/bind" + w.path
	require.Equal(t, http.StatusNoContent, serve(e, w.signed()).Code)
}

func TestBindForms(t *testing.T) {
	t.Run("a WhatsApp button reply binds its button, profile and id", func(t *testing.T) {
		var f messageForm
		bindThrough(t, webhook{form: fixture(t, "whatsapp-button")}, &f)
		assert.Equal(t, messageForm{
			MessageSid: "SM6a8c0e2b4d6f8a1c3e5b7d9f2a4c6e8b", SmsSid: "SM6a8c0e2b4d6f8a1c3e5b7d9f2a4c6e8b",
			AccountSid: testAccount, From: "whatsapp:+14155552671", To: "whatsapp:+15005550006",
			Body: "Yes", NumMedia: "0", NumSegments: "1", ProfileName: "Jane", WaID: "14155552671",
			ButtonText: "Yes", ButtonPayload: "YES",
		}, f)
	})
	t.Run("a status callback binds status and error code", func(t *testing.T) {
		var f statusForm
		bindThrough(t, webhook{form: fixture(t, "status-21610")}, &f)
		assert.Equal(t, "21610", f.ErrorCode)
		assert.Equal(t, "undelivered", f.MessageStatus)
		assert.Equal(t, "+14155552671", f.To)
	})
	t.Run("the query never fills a form field", func(t *testing.T) {
		var f messageForm
		form := fixture(t, "sms-keyword")
		form.Del("OptOutType")
		bindThrough(t, webhook{path: "?Body=STOP&OptOutType=STOP", form: form}, &f)
		assert.Equal(t, "OFFERS", f.Body)
		assert.Empty(t, f.OptOutType)
	})
	t.Run("a call answered by a machine is told apart from a person", func(t *testing.T) {
		var machine, person voiceForm
		bindThrough(t, webhook{form: fixture(t, "voice-machine")}, &machine)
		bindThrough(t, webhook{form: fixture(t, "voice-incoming")}, &person)
		assert.True(t, machine.machine())
		assert.False(t, person.machine())
	})
	t.Run("an old payload without MessageSid uses SmsSid", func(t *testing.T) {
		var f messageForm
		form := fixture(t, "sms-keyword")
		form.Del("MessageSid")
		bindThrough(t, webhook{form: form}, &f)
		assert.Equal(t, "SM1a3c5e7b9d2f4a6c8e0b2d4f6a8c1e3b", f.sid())
	})
}

func TestFieldByFieldBindingAgreesWithTheFormTags(t *testing.T) {
	for _, name := range []string{"sms-keyword", "sms-base64", "sms-opt-out-type", "whatsapp-button", "whatsapp-text",
		"status-21610", "status-delivered", "voice-incoming", "voice-gather-digits", "voice-machine"} {
		t.Run(name, func(t *testing.T) {
			form := fixture(t, name)
			for _, pair := range [][2]any{{&voiceForm{}, &voiceForm{}}, {&messageForm{}, &messageForm{}}, {&statusForm{}, &statusForm{}}} {
				got, want := pair[0], pair[1]
				bindThrough(t, webhook{form: form}, got)
				r := webhook{path: "/", form: form}.unsigned()
				require.NoError(t, binding.FormPost.Bind(r, want))
				assert.Equal(t, want, got)
			}
		})
	}
}
