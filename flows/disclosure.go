package flows

import "github.com/optin/optin/consent"

// textDisclosure is the SMS or WhatsApp text that asks for a YES to cats.
func (t texts) textDisclosure(ch consent.Channel, cats []consent.Category) string {
	v := t.common(cats)
	v["items"] = t.textItems(cats, false)
	return t.render(textName(ch, MsgSMSDisclosure), v)
}

// voiceDisclosure is the spoken text that asks for a 1 to cats from the caller.
func (t texts) voiceDisclosure(cats []consent.Category, caller string) string {
	v := t.common(cats)
	v["items"] = t.voiceItems(cats)
	v["last4"] = spokenLast4(caller)
	return t.render(MsgVoiceDisclosure, v)
}

// optInConfirm is the CTIA confirmation after an opt-in over SMS or WhatsApp.
func (t texts) optInConfirm(ch consent.Channel, cats []consent.Category) string {
	return t.withItems(textName(ch, MsgSMSConfirm), cats)
}

// helpReply answers HELP: brand, categories with frequency, rates, STOP and the contact.
func (t texts) helpReply(ch consent.Channel) string {
	return t.withItems(textName(ch, MsgSMSHelp), t.b.Categories)
}

// menuReply is the short menu sent in answer to anything the flow does not recognise.
func (t texts) menuReply(ch consent.Channel) string {
	return t.render(textName(ch, MsgSMSMenu), t.common(t.b.Categories))
}

// stopConfirm is the one reply to an opt-out; it carries no marketing and says how to rejoin.
func (t texts) stopConfirm(ch consent.Channel, cats []consent.Category) string {
	if len(cats) == len(t.b.Categories) {
		return t.render(textName(ch, MsgSMSStopAllConfirm), t.common(cats))
	}
	return t.render(textName(ch, MsgSMSStopConfirm), t.common(cats))
}

// withItems renders a message listing cats with their frequencies, or, when that would not fit
// the reply budget, with their labels and a note that the frequency varies.
func (t texts) withItems(name string, cats []consent.Category) string {
	v := t.common(cats)
	v["items"] = t.textItems(cats, false)
	if s := t.render(name, v); FitsReply(s) {
		return s
	}
	v["items"] = t.textItems(cats, true)
	return t.render(name, v)
}
