package twilio

import (
	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
)

func (h *Handler) ivr(t callTurn) (voiceReply, []consent.Event, error) {
	action, timeout := h.stepURLs(t.step, t.attempt)
	return voiceReply{Gather: &voiceGather{Action: action, Timeout: timeout}}, nil, nil
}

func (h *Handler) converse(c *gin.Context, in inboundMessage) (consent.Inbound, error) {
	return consent.Inbound{Events: []consent.Event{{Evidence: in.evidence()}}}, nil
}

func noNumberReply(b consent.Business) string { return "" }

func apologyReply(lang string) voiceReply { return voiceReply{Hangup: true} }

func notConfiguredReply() voiceReply { return voiceReply{Hangup: true} }
