package flows

import (
	"slices"
	"strings"
	"time"

	"github.com/optin/optin/consent"
)

// PendingTTL is how long a disclosure sent by SMS or WhatsApp accepts a YES.
const PendingTTL = 24 * time.Hour

// MessageInput is one inbound SMS or WhatsApp message and what is known about its sender.
type MessageInput struct {
	Business      consent.Business  // the business whose number was texted
	Phone         string            // the sender in E.164
	Channel       consent.Channel   // sms or whatsapp
	Text          string            // the body as received (a base64 body already decoded), raw
	ButtonPayload string            // WhatsApp quick-reply payload, when a button was tapped
	ButtonText    string            // WhatsApp quick-reply text, when a button was tapped
	Pending       *consent.Pending  // the disclosure awaiting a YES, nil when none
	Consents      []consent.Consent // the sender's current consent states with this business
	OptOutType    string            // Twilio Advanced Opt-Out hint: STOP, START or HELP; usually empty
	Now           time.Time         // when the message arrived
}

// MessageOutput is what to answer and what to record for one inbound message.
type MessageOutput struct {
	Reply          string           // the reply to send; empty means send nothing
	Pending        *consent.Pending // the pending disclosure after this message; nil when none
	PendingChanged bool             // whether Pending differs from the input's and must be saved (nil clears it)
	Decisions      []Decision       // to record, in order, before the reply is sent
}

// HandleMessage applies the SMS and WhatsApp rules of DESIGN §4 to one message. A WhatsApp
// button's payload, then its text, is read before the body, and decisions it causes carry
// reason button. In order:
//   - HELP, INFO, AYUDA or AIDE (alone or in up to three words that are not a revocation):
//     the HELP reply.
//   - A revocation (see readIntent for the rule): opt_out of the named categories, or of every
//     category for a plain STOP, for wording read as revocation and whenever the business
//     revokes globally. Categories already opted out are not recorded again, and when nothing
//     is left to record no reply is sent, so a repeat STOP sends nothing. The pending disclosure
//     loses the revoked categories.
//   - YES, Y, SI or OUI (optionally with keywords) while a disclosure is pending: opt_in of the
//     pending categories (or of the named ones), with the disclosure sent as evidence, and the
//     CTIA confirmation. With nothing pending, or naming a category not pending, it is a request.
//   - A keyword, YES KEYWORD, START or JOIN: the disclosure of those categories (all of them when
//     none is named), remembered as pending for PendingTTL. A disclosure too long for two SMS
//     segments is replaced by the short menu.
//   - Anything else: the short menu, except to someone opted out of every category (nothing).
//
// A WhatsApp "Stop promotions" quick reply (payload or text STOP PROMOTIONS, any case) comes
// first of all: opt_out, reason button, of every category whose template category is
// marketing (of every category when the business revokes globally).
//
// Nothing but a YES to a pending disclosure ever records an opt-in.
//
// OptOutType set means Twilio has answered already, so no reply of ours is sent. STOP records
// opt_out of every category with reason provider_opt_out, whatever the body says; START and HELP
// run the rules above without a reply, so a YES to a pending disclosure still counts, but no new
// disclosure becomes pending because none was sent.
func HandleMessage(in MessageInput) MessageOutput {
	m := message{in: in, t: newTexts(in.Business, in.Business.Language), ch: consent.ChannelSMS}
	if in.Channel == consent.ChannelWhatsApp {
		m.ch = consent.ChannelWhatsApp
	}
	var out MessageOutput
	switch hint := strings.ToUpper(strings.TrimSpace(in.OptOutType)); hint {
	case "STOP":
		out = m.stop(nil, consent.ReasonProviderOptOut, in.Text)
	case "":
		out = m.respond()
	default:
		m.silent = true
		out = m.respond()
		out.Reply = ""
	}
	if !out.PendingChanged {
		out.Pending = in.Pending
	}
	return out
}

// message is one inbound message being answered.
type message struct {
	in     MessageInput
	t      texts
	ch     consent.Channel // sms or whatsapp
	silent bool            // the provider has replied: send nothing and leave nothing new pending
}

func (m message) respond() MessageOutput {
	if raw, ok := m.stopPromotions(); ok {
		return m.stopMarketing(raw)
	}
	raw, it, button := m.read()
	reason := consent.ReasonKeyword
	switch {
	case button:
		reason = consent.ReasonButton
	case it.natural:
		reason = consent.ReasonNaturalLanguage
	}
	switch it.kind {
	case intentHelp:
		return MessageOutput{Reply: m.t.helpReply(m.ch)}
	case intentStop:
		return m.stop(it.categories, reason, raw)
	case intentYes:
		return m.yes(it.categories, reason, raw)
	case intentRequest:
		return m.request(it.categories)
	}
	if m.optedOutOfEverything() {
		return MessageOutput{}
	}
	return MessageOutput{Reply: m.t.menuReply(m.ch)}
}

// stopPromotionsButton is the quick reply WhatsApp's marketing templates offer (Meta's
// "Stop promotions" button), in normalised form.
const stopPromotionsButton = "STOP PROMOTIONS"

// stopPromotions reports whether the message is a tap on a "Stop promotions" quick reply:
// its payload or its text, in any case, and the raw text it was.
func (m message) stopPromotions() (string, bool) {
	for _, b := range []string{m.in.ButtonPayload, m.in.ButtonText} {
		if Normalise(b) == stopPromotionsButton {
			return b, true
		}
	}
	return "", false
}

// stopMarketing opts out of every marketing category, with reason button: the button stops
// promotions, not the order updates a person still wants. With no marketing category left to
// stop it records nothing.
func (m message) stopMarketing(raw string) MessageOutput {
	var cats []consent.Category
	for _, c := range m.in.Business.Categories {
		if c.TemplateCategory == consent.TemplateMarketing || c.TemplateCategory == "" {
			cats = append(cats, c)
		}
	}
	if len(cats) == 0 && !m.in.Business.RevokesGlobally(m.in.Now) {
		return MessageOutput{}
	}
	return m.stop(cats, consent.ReasonButton, raw)
}

// read returns the first of the button payload, the button text and the body that says
// something the rules recognise, what it says and whether it came from a button.
func (m message) read() (raw string, it intent, button bool) {
	for _, c := range []struct {
		text   string
		button bool
	}{{m.in.ButtonPayload, true}, {m.in.ButtonText, true}, {m.in.Text, false}} {
		if strings.TrimSpace(c.text) == "" {
			continue
		}
		raw, it, button = c.text, readIntent(Normalise(c.text), m.in.Business), c.button
		if it.kind != intentOther {
			return raw, it, button
		}
	}
	return raw, it, button
}

// stop opts out of cats (every category when cats is empty or the business revokes globally
// at the time of the message).
func (m message) stop(cats []consent.Category, reason consent.Reason, raw string) MessageOutput {
	b := m.in.Business
	if len(cats) == 0 || b.RevokesGlobally(m.in.Now) {
		cats = b.Categories
	}
	var out MessageOutput
	if p := m.in.Pending; p != nil {
		if rest := pendingWithout(p, cats); rest == nil || len(rest.Categories) < len(p.Categories) {
			out.Pending, out.PendingChanged = rest, true
		}
	}
	var todo []consent.Category
	for _, c := range cats {
		if m.status(c.Key) != consent.StatusOptedOut {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return out
	}
	out.Decisions = decide(consent.ActionOptOut, todo, reason, raw, nil, m.in.Now)
	if reason != consent.ReasonProviderOptOut {
		out.Reply = m.t.stopConfirm(m.ch, cats)
	}
	return out
}

// yes opts in to the pending categories, or to the named ones when all of them are pending.
func (m message) yes(named []consent.Category, reason consent.Reason, raw string) MessageOutput {
	p := m.in.Pending
	if !p.Active(m.in.Now) {
		return m.request(named)
	}
	var chosen []consent.Category
	for _, c := range m.in.Business.Categories {
		if slices.Contains(p.Categories, c.Key) && (len(named) == 0 || slices.Contains(named, c)) {
			chosen = append(chosen, c)
		}
	}
	if len(chosen) == 0 || len(chosen) < len(named) {
		return m.request(named)
	}
	disc := p.Disclosure
	return MessageOutput{
		Reply:          m.t.optInConfirm(m.ch, chosen),
		Pending:        pendingWithout(p, chosen),
		PendingChanged: true,
		Decisions:      decide(consent.ActionOptIn, chosen, reason, raw, &disc, m.in.Now),
	}
}

// request sends the disclosure of cats (all categories when empty) and remembers it as pending.
func (m message) request(cats []consent.Category) MessageOutput {
	if m.silent {
		return MessageOutput{}
	}
	if len(cats) == 0 {
		cats = m.in.Business.Categories
	}
	text := m.t.textDisclosure(m.ch, cats)
	if !FitsReply(text) {
		return MessageOutput{Reply: m.t.menuReply(m.ch)}
	}
	return MessageOutput{
		Reply: text,
		Pending: &consent.Pending{
			Categories: keysOfCategories(cats),
			Disclosure: consent.NewDisclosure(m.in.Business.ID, m.ch, m.t.tag, text),
			Channel:    m.ch,
			ExpiresAt:  m.in.Now.Add(PendingTTL),
		},
		PendingChanged: true,
	}
}

func (m message) status(category string) consent.Status {
	for _, c := range m.in.Consents {
		if c.Category == category {
			return c.Status
		}
	}
	return ""
}

func (m message) optedOutOfEverything() bool {
	for _, c := range m.in.Business.Categories {
		if m.status(c.Key) != consent.StatusOptedOut {
			return false
		}
	}
	return len(m.in.Business.Categories) > 0
}

// pendingWithout is p without cats, or nil when nothing would be left pending.
func pendingWithout(p *consent.Pending, cats []consent.Category) *consent.Pending {
	left := make([]string, 0, len(p.Categories))
	for _, key := range p.Categories {
		if !slices.ContainsFunc(cats, func(c consent.Category) bool { return c.Key == key }) {
			left = append(left, key)
		}
	}
	if len(left) == 0 {
		return nil
	}
	rest := *p
	rest.Categories = left
	return &rest
}
