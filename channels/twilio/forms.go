package twilio

import (
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
)

// voiceForm is the POST form of a Voice webhook and of every <Gather> action or <Redirect>.
// Twilio adds fields without notice; unknown ones are ignored.
type voiceForm struct {
	CallSid       string `form:"CallSid"`
	AccountSid    string `form:"AccountSid"`
	From          string `form:"From"`
	To            string `form:"To"`
	Caller        string `form:"Caller"`
	Called        string `form:"Called"`
	CallStatus    string `form:"CallStatus"`
	Direction     string `form:"Direction"`
	AnsweredBy    string `form:"AnsweredBy"` // machine_start, fax, human… when detection is on
	Digits        string `form:"Digits"`
	FinishedOnKey string `form:"FinishedOnKey"`
	SpeechResult  string `form:"SpeechResult"`
}

// machine reports whether the call was answered by a machine or a fax rather than a person.
func (f voiceForm) machine() bool {
	a := strings.ToLower(f.AnsweredBy)
	return strings.HasPrefix(a, "machine") || a == "fax"
}

// messageForm is the POST form of an inbound SMS, MMS or WhatsApp message.
type messageForm struct {
	MessageSid          string `form:"MessageSid"`
	SmsSid              string `form:"SmsSid"`
	AccountSid          string `form:"AccountSid"`
	MessagingServiceSid string `form:"MessagingServiceSid"`
	From                string `form:"From"`
	To                  string `form:"To"`
	Body                string `form:"Body"`
	NumMedia            string `form:"NumMedia"`
	NumSegments         string `form:"NumSegments"`
	ProfileName         string `form:"ProfileName"`   // WhatsApp display name
	WaID                string `form:"WaId"`          // WhatsApp id: the number without +, when known
	ButtonText          string `form:"ButtonText"`    // WhatsApp quick-reply text shown
	ButtonPayload       string `form:"ButtonPayload"` // WhatsApp quick-reply payload set by the sender
	OptOutType          string `form:"OptOutType"`    // STOP, START or HELP with Advanced Opt-Out
}

// sid is the message's provider id; older payloads only carry SmsSid.
func (f messageForm) sid() string {
	if f.MessageSid != "" {
		return f.MessageSid
	}
	return f.SmsSid
}

// statusForm is the POST form of a message status callback. One MessageSid arrives
// several times, once per status.
type statusForm struct {
	MessageSid    string `form:"MessageSid"`
	SmsSid        string `form:"SmsSid"`
	AccountSid    string `form:"AccountSid"`
	From          string `form:"From"`
	To            string `form:"To"`
	MessageStatus string `form:"MessageStatus"` // queued, sent, delivered, undelivered, failed, read
	ErrorCode     string `form:"ErrorCode"`
}

// sid is the message's provider id; older payloads only carry SmsSid.
func (f statusForm) sid() string {
	if f.MessageSid != "" {
		return f.MessageSid
	}
	return f.SmsSid
}

// bindForm fills dst from the verified POST form only, never from the query. The three
// webhook forms are read field by field: reflection-based binding was a tenth of an IVR step's
// own work. The form tags above name the same fields.
func bindForm(c *gin.Context, dst any) error {
	switch dst.(type) {
	case *voiceForm, *messageForm, *statusForm:
		bindValues(c.Request.PostForm, dst)
		return nil
	}
	return c.ShouldBindWith(dst, binding.FormPost)
}

// bindValues fills one of the three webhook forms from f.
func bindValues(f url.Values, dst any) {
	switch d := dst.(type) {
	case *voiceForm:
		*d = voiceForm{CallSid: f.Get("CallSid"), AccountSid: f.Get("AccountSid"), From: f.Get("From"), To: f.Get("To"),
			Caller: f.Get("Caller"), Called: f.Get("Called"), CallStatus: f.Get("CallStatus"), Direction: f.Get("Direction"),
			AnsweredBy: f.Get("AnsweredBy"), Digits: f.Get("Digits"), FinishedOnKey: f.Get("FinishedOnKey"),
			SpeechResult: f.Get("SpeechResult")}
	case *messageForm:
		*d = messageForm{MessageSid: f.Get("MessageSid"), SmsSid: f.Get("SmsSid"), AccountSid: f.Get("AccountSid"),
			MessagingServiceSid: f.Get("MessagingServiceSid"), From: f.Get("From"), To: f.Get("To"), Body: f.Get("Body"),
			NumMedia: f.Get("NumMedia"), NumSegments: f.Get("NumSegments"), ProfileName: f.Get("ProfileName"),
			WaID: f.Get("WaId"), ButtonText: f.Get("ButtonText"), ButtonPayload: f.Get("ButtonPayload"),
			OptOutType: f.Get("OptOutType")}
	case *statusForm:
		*d = statusForm{MessageSid: f.Get("MessageSid"), SmsSid: f.Get("SmsSid"), AccountSid: f.Get("AccountSid"),
			From: f.Get("From"), To: f.Get("To"), MessageStatus: f.Get("MessageStatus"), ErrorCode: f.Get("ErrorCode")}
	}
}

// isWhatsApp reports whether a Twilio address is a WhatsApp one.
func isWhatsApp(addr string) bool {
	return len(addr) >= 9 && strings.EqualFold(addr[:9], "whatsapp:")
}
