package twilio

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/twilio/twilio-go/twiml"
)

// voicePrompt is one sentence spoken to the caller.
type voicePrompt struct {
	Text     string
	Language string
}

// voiceGather asks for keypresses and says where to post them.
type voiceGather struct {
	Action     string // URL of the next step
	NumDigits  int
	TimeoutSec int
	Timeout    string // URL the call is redirected to on silence: the same step, marked
}

// voiceReply is what the IVR says next: prompts, then a gather or a hangup.
type voiceReply struct {
	Prompts []voicePrompt
	Gather  *voiceGather
	Hangup  bool
}

// render turns the reply into TwiML. Prompts go inside the <Gather> so a keypress
// interrupts them; the <Redirect> after it turns silence into an explicit timeout step.
func (r voiceReply) render() (string, error) {
	says := make([]twiml.Element, 0, len(r.Prompts))
	for _, p := range r.Prompts {
		says = append(says, twiml.VoiceSay{Message: p.Text, Language: p.Language})
	}
	var verbs []twiml.Element
	if g := r.Gather; g != nil {
		verbs = append(verbs,
			twiml.VoiceGather{
				Input: "dtmf", Action: g.Action, Method: http.MethodPost,
				NumDigits: strconv.Itoa(g.NumDigits), Timeout: strconv.Itoa(g.TimeoutSec),
				ActionOnEmptyResult: "false", InnerElements: says,
			},
			twiml.VoiceRedirect{Url: g.Timeout, Method: http.MethodPost},
		)
	} else {
		verbs = append(verbs, says...)
	}
	if r.Hangup || r.Gather == nil {
		verbs = append(verbs, twiml.VoiceHangup{})
	}
	return twiml.Voice(verbs)
}

// writeVoice answers a Voice webhook with 200 and TwiML. Rendering cannot fail for the
// values built here; if it ever does, a fixed apology still reaches the caller.
func (h *Handler) writeVoice(c *gin.Context, r voiceReply) {
	doc, err := r.render()
	if err != nil {
		h.log.ErrorContext(c.Request.Context(), "render voice twiml", "err", err)
		doc = apologyTwiML
	}
	c.Data(http.StatusOK, "text/xml", []byte(doc))
}

// writeMessage answers a Messaging webhook with 200 and a <Message>, or an empty
// <Response/> when body is empty.
func (h *Handler) writeMessage(c *gin.Context, body string) {
	var verbs []twiml.Element
	if body != "" {
		verbs = append(verbs, twiml.MessagingMessage{Body: body})
	}
	doc, err := twiml.Messages(verbs)
	if err != nil {
		h.log.ErrorContext(c.Request.Context(), "render messaging twiml", "err", err)
		c.AbortWithStatus(http.StatusServiceUnavailable)
		return
	}
	c.Data(http.StatusOK, "text/xml", []byte(doc))
}

// apologyTwiML is the last-resort answer to a call when even rendering failed.
const apologyTwiML = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<Response><Say>Sorry, something went wrong. Please try again later. Goodbye.</Say><Hangup/></Response>`
