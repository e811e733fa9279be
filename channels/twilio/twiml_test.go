package twilio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVoiceReplyRender(t *testing.T) {
	tests := []struct {
		name  string
		reply voiceReply
		want  node
	}{
		{
			name: "a menu speaks inside the gather and redirects to the same step on silence",
			reply: voiceReply{
				Prompts: []voicePrompt{{Text: "Welcome.", Language: "en-US"}, {Text: "Press 1.", Language: "en-US"}},
				Gather:  &voiceGather{Action: "https://x.example/twilio/voice/step?a=0&s=m", NumDigits: 1, TimeoutSec: 6, Timeout: "https://x.example/twilio/voice/step?a=0&s=m&timeout=1"},
			},
			want: el("Response", "", nil,
				el("Gather", "", []string{"input", "dtmf", "action", "https://x.example/twilio/voice/step?a=0&s=m", "method", "POST",
					"numDigits", "1", "timeout", "6", "actionOnEmptyResult", "false"},
					el("Say", "Welcome.", []string{"language", "en-US"}),
					el("Say", "Press 1.", []string{"language", "en-US"})),
				el("Redirect", "https://x.example/twilio/voice/step?a=0&s=m&timeout=1", []string{"method", "POST"})),
		},
		{
			name:  "a goodbye speaks and hangs up",
			reply: voiceReply{Prompts: []voicePrompt{{Text: "Goodbye.", Language: "es-US"}}, Hangup: true},
			want: el("Response", "", nil,
				el("Say", "Goodbye.", []string{"language", "es-US"}),
				el("Hangup", "", nil)),
		},
		{
			name:  "a reply with neither gather nor hangup still hangs up",
			reply: voiceReply{Prompts: []voicePrompt{{Text: "Bye."}}},
			want:  el("Response", "", nil, el("Say", "Bye.", nil), el("Hangup", "", nil)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := tt.reply.render()
			require.NoError(t, err)
			assert.Equal(t, tt.want, parseTwiML(t, doc))
		})
	}
}

func TestApologyIsValidTwiML(t *testing.T) {
	got := parseTwiML(t, apologyTwiML)
	require.Len(t, got.Children, 2)
	assert.Equal(t, "Say", got.Children[0].Name)
	assert.Equal(t, "Hangup", got.Children[1].Name)
}
