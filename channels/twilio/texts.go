package twilio

import (
	"strings"

	"github.com/optin/optin/consent"
)

// The few things the edge says on its own, when no flow can run: the store failed, the
// number belongs to no business, or a WhatsApp sender has no phone number to attach
// consent to. Every other word comes from the flows.

// apologyReply is spoken when the call cannot go on; nothing was changed.
func apologyReply(language string) voiceReply {
	text := "Sorry, something went wrong on our side and nothing was changed. Please call again later. Goodbye."
	if strings.HasPrefix(language, "es") {
		text = "Lo sentimos, algo salió mal y no se cambió nada. Por favor, llame más tarde. Adiós."
	}
	if language == "" {
		language = "en-US"
	}
	return voiceReply{Prompts: []voicePrompt{{Text: text, Language: language}}, Hangup: true}
}

// notConfiguredReply is spoken to a call to a number that no business owns.
func notConfiguredReply() voiceReply {
	return voiceReply{Prompts: []voicePrompt{{
		Text:     "Sorry, this number is not configured to take calls. Goodbye.",
		Language: "en-US",
	}}, Hangup: true}
}

// noNumberReply answers a WhatsApp user known only by a business-scoped id: consent needs
// a phone number, and one is never invented from the id.
func noNumberReply(b consent.Business) string {
	if strings.HasPrefix(b.Language, "es") {
		return b.Name + ": no podemos registrar sus preferencias sin un número de teléfono. " +
			"Escríbanos por SMS desde su número para suscribirse o darse de baja."
	}
	return b.Name + ": sorry, we can only record your choices for a phone number. " +
		"Please text us by SMS from your number to opt in or out."
}
