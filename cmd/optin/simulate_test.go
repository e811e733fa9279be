package main

import (
	"encoding/xml"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/twilio/twilio-go/client"

	"github.com/optin/optin/channels/twilio"
)

func TestSignatureMatchesTwilioValidator(t *testing.T) {
	form := url.Values{"From": {"+14155552671"}, "To": {"+15005550006"}, "Body": {"YES OFFERS"}, "MessageSid": {"SM1"}}
	target := "http://localhost:8080/twilio/sms"
	sig := twilio.Signature("secret", target, form)
	params := map[string]string{}
	for k := range form {
		params[k] = form.Get(k)
	}
	v, other := client.NewRequestValidator("secret"), client.NewRequestValidator("other")
	assert.True(t, v.Validate(target, params, sig), "Twilio's own validator accepts the simulator's signature")
	assert.False(t, other.Validate(target, params, sig), "another token does not")
}

func TestGatherResult(t *testing.T) {
	gather := func(attrs ...string) twimlVerb {
		var v twimlVerb
		for i := 0; i+1 < len(attrs); i += 2 {
			v.Attrs = append(v.Attrs, xmlAttr(attrs[i], attrs[i+1]))
		}
		return v
	}
	tests := []struct {
		name     string
		g        twimlVerb
		typed    string
		answered bool
		digits   string
	}{
		{"silence runs the verb after the gather", gather(), "", false, ""},
		{"one key is posted", gather("numDigits", "1"), "2", true, "2"},
		{"extra keys beyond numDigits are dropped", gather("numDigits", "1"), "21", true, "2"},
		{"a finishing hash ends input", gather(), "12#", true, "12"},
		{"a bare hash is no answer", gather(), "#", false, ""},
		{"a bare hash is posted when empty results are asked for", gather("actionOnEmptyResult", "true"), "#", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := gatherResult(tt.g, tt.typed)
			assert.Equal(t, tt.answered, ok)
			if ok {
				assert.Equal(t, tt.digits, p.Get("Digits"))
			}
		})
	}
}

func TestResolveFollowsRelativeActionURLs(t *testing.T) {
	u, err := resolve("http://localhost:8080/twilio/voice", "/twilio/voice/step?s=v1.m&a=1")
	assert.NoError(t, err)
	assert.Equal(t, "http://localhost:8080/twilio/voice/step?s=v1.m&a=1", u)
}

func xmlAttr(name, value string) xml.Attr { return xml.Attr{Name: xml.Name{Local: name}, Value: value} }
