package flows

// Message names a business may override in its business file, under messages → language → name.
// Templates use placeholders in braces: {business} (the business name), {help} (its contact),
// {items} (categories with their frequency), {labels} (category labels), {stops} (STOP and each
// keyword), {keywords} (the category keywords), {rejoin} (what to text to rejoin), {last4} (the
// caller's last four digits, spoken one by one), and in menu lines {label}, {digit}, {keyword}
// and {frequency}. A whatsapp.* message that is not overridden falls back to its sms.* twin.
const (
	MsgSMSDisclosure     = "sms.disclosure"       // asks for a YES; the evidence of an SMS opt-in
	MsgSMSConfirm        = "sms.confirm"          // confirms an opt-in (CTIA)
	MsgSMSStopConfirm    = "sms.stop_confirm"     // the one reply to an opt-out of some categories
	MsgSMSStopAllConfirm = "sms.stop_all_confirm" // the one reply to an opt-out of everything
	MsgSMSHelp           = "sms.help"             // the answer to HELP
	MsgSMSMenu           = "sms.menu"             // the answer to anything else

	MsgVoiceGreeting       = "voice.greeting"         // first words of a call
	MsgVoiceMenuOption     = "voice.menu_option"      // one line per category of the menu
	MsgVoiceMenuAll        = "voice.menu_all"         // 9 for all categories
	MsgVoiceMenuEnd        = "voice.menu_end"         // 0 for the stop menu, star to repeat
	MsgVoiceDisclosure     = "voice.disclosure"       // asks for 1; the evidence of an IVR opt-in
	MsgVoiceConfirm        = "voice.confirm"          // after 1
	MsgVoiceStopMenuOption = "voice.stop_menu_option" // one line per category of the stop menu
	MsgVoiceStopMenuAll    = "voice.stop_menu_all"    // 9 stops everything
	MsgVoiceStopMenuEnd    = "voice.stop_menu_end"    // star to repeat
	MsgVoiceStopConfirm    = "voice.stop_confirm"     // after a stop
	MsgVoiceInvalid        = "voice.invalid"          // a key that is not a choice
	MsgVoiceNoInput        = "voice.no_input"         // before a reprompt after silence
	MsgVoiceNoChanges      = "voice.no_changes"       // hang-up after silence, nothing recorded
	MsgVoiceGoodbye        = "voice.goodbye"          // hang-up after silence, something recorded
	MsgVoiceWithheld       = "voice.withheld"         // caller ID withheld: how to opt in instead
	MsgVoiceMachine        = "voice.machine"          // a machine answered: how to opt in instead
)

// messageNames lists every name a business may override, in a stable order.
var messageNames = []string{
	MsgSMSDisclosure, MsgSMSConfirm, MsgSMSStopConfirm, MsgSMSStopAllConfirm, MsgSMSHelp, MsgSMSMenu,
	MsgVoiceGreeting, MsgVoiceMenuOption, MsgVoiceMenuAll, MsgVoiceMenuEnd, MsgVoiceDisclosure,
	MsgVoiceConfirm, MsgVoiceStopMenuOption, MsgVoiceStopMenuAll, MsgVoiceStopMenuEnd,
	MsgVoiceStopConfirm, MsgVoiceInvalid, MsgVoiceNoInput, MsgVoiceNoChanges, MsgVoiceGoodbye,
	MsgVoiceWithheld, MsgVoiceMachine,
}

// placeholders lists every placeholder a template may use.
var placeholders = wordSet("business help items labels stops keywords rejoin last4 label digit keyword frequency")

// language holds the built-in texts of one language and the words that join lists.
type language struct {
	messages map[string]string
	and, or  string
	serial   bool   // a comma before the last "and"/"or", as in English
	varies   string // said instead of each frequency when a list must be short
}

// builtin holds the built-in texts by base language. SMS texts keep to the GSM-7 alphabet so a
// reply of 306 characters still fits two segments; that is why the Spanish SMS texts carry no
// acute accents.
var builtin = map[string]language{
	"en": {and: "and", or: "or", serial: true, varies: "message frequency varies", messages: map[string]string{
		MsgSMSDisclosure: "Reply YES to get {items} from {business} on WhatsApp. To opt out reply {stops}. " +
			"HELP for help. Msg & data rates may apply.",
		MsgSMSConfirm: "{business}: you are subscribed to {items} on WhatsApp. Msg & data rates may apply. " +
			"Reply HELP for help, {stops} to opt out.",
		MsgSMSStopConfirm:    "{business}: you will no longer get {labels} on WhatsApp. Reply {rejoin} to rejoin.",
		MsgSMSStopAllConfirm: "{business}: you are unsubscribed and will get no more WhatsApp messages from us. Reply START to rejoin.",
		MsgSMSHelp: "{business} on WhatsApp: {items}. Text {keywords} to join, STOP to opt out. " +
			"Msg & data rates may apply. Help: {help}",
		MsgSMSMenu: "{business}: text {keywords} to get WhatsApp messages, HELP for help, STOP to opt out.",

		MsgVoiceGreeting:   "Thank you for calling {business} about WhatsApp messages. You are calling from the number ending in {last4}.",
		MsgVoiceMenuOption: "For {label}, press {digit}.",
		MsgVoiceMenuAll:    "For all of them, press 9.",
		MsgVoiceMenuEnd:    "To stop messages, press 0. To hear this again, press star.",
		MsgVoiceDisclosure: "By pressing 1, you agree to receive WhatsApp messages from {business} at the number ending in {last4}: {items}. " +
			"You can opt out at any time by calling this number and pressing 0, or by texting {stops}. " +
			"Consent is not a condition of purchase. To agree, press 1. To go back, press 2.",
		MsgVoiceConfirm:        "Thank you. You will get {labels} from {business} on WhatsApp.",
		MsgVoiceStopMenuOption: "To stop {label}, press {digit}.",
		MsgVoiceStopMenuAll:    "To stop all WhatsApp messages from {business}, press 9.",
		MsgVoiceStopMenuEnd:    "To hear this again, press star.",
		MsgVoiceStopConfirm:    "Done. You will no longer get {labels} from {business} on WhatsApp.",
		MsgVoiceInvalid:        "Sorry, that is not one of the choices.",
		MsgVoiceNoInput:        "Sorry, we did not hear a choice.",
		MsgVoiceNoChanges:      "No changes were made. Goodbye.",
		MsgVoiceGoodbye:        "Thank you for calling {business}. Goodbye.",
		MsgVoiceWithheld: "Your number is hidden, so we cannot record a choice on this call. " +
			"To get WhatsApp messages from {business}, call again without hiding your number, or text {keywords} to this number. Goodbye.",
		MsgVoiceMachine: "This is {business}. To choose which WhatsApp messages you get from us, " +
			"call this number back or text {keywords} to it. Goodbye.",
	}},
	"es": {and: "y", or: "o", varies: "la frecuencia varia", messages: map[string]string{
		MsgSMSDisclosure: "Responda SI para recibir {items} de {business} por WhatsApp. Para cancelar responda {stops}. " +
			"AYUDA para ayuda. Pueden aplicarse tarifas de mensajes y datos.",
		MsgSMSConfirm: "{business}: esta suscrito a {items} por WhatsApp. Pueden aplicarse tarifas de mensajes y datos. " +
			"Responda AYUDA para ayuda, {stops} para cancelar.",
		MsgSMSStopConfirm:    "{business}: ya no recibira {labels} por WhatsApp. Responda {rejoin} para volver.",
		MsgSMSStopAllConfirm: "{business}: cancelo su suscripcion y no recibira mas mensajes de WhatsApp. Responda START para volver.",
		MsgSMSHelp: "{business} por WhatsApp: {items}. Envie {keywords} para unirse, STOP para cancelar. " +
			"Pueden aplicarse tarifas de mensajes y datos. Ayuda: {help}",
		MsgSMSMenu: "{business}: envie {keywords} para recibir mensajes de WhatsApp, AYUDA para ayuda, STOP para cancelar.",

		MsgVoiceGreeting:   "Gracias por llamar a {business} sobre mensajes de WhatsApp. Usted llama desde el número que termina en {last4}.",
		MsgVoiceMenuOption: "Para {label}, marque {digit}.",
		MsgVoiceMenuAll:    "Para todos, marque 9.",
		MsgVoiceMenuEnd:    "Para dejar de recibir mensajes, marque 0. Para escuchar de nuevo, marque asterisco.",
		MsgVoiceDisclosure: "Al marcar 1, acepta recibir mensajes de WhatsApp de {business} en el número que termina en {last4}: {items}. " +
			"Puede cancelar en cualquier momento llamando a este número y marcando 0, o enviando {stops}. " +
			"El consentimiento no es condición de compra. Para aceptar, marque 1. Para volver, marque 2.",
		MsgVoiceConfirm:        "Gracias. Recibirá {labels} de {business} por WhatsApp.",
		MsgVoiceStopMenuOption: "Para dejar de recibir {label}, marque {digit}.",
		MsgVoiceStopMenuAll:    "Para dejar de recibir todos los mensajes de WhatsApp de {business}, marque 9.",
		MsgVoiceStopMenuEnd:    "Para escuchar de nuevo, marque asterisco.",
		MsgVoiceStopConfirm:    "Listo. Ya no recibirá {labels} de {business} por WhatsApp.",
		MsgVoiceInvalid:        "Lo sentimos, esa no es una de las opciones.",
		MsgVoiceNoInput:        "Lo sentimos, no escuchamos una opción.",
		MsgVoiceNoChanges:      "No se hicieron cambios. Adiós.",
		MsgVoiceGoodbye:        "Gracias por llamar a {business}. Adiós.",
		MsgVoiceWithheld: "Su número está oculto, así que no podemos registrar una opción en esta llamada. " +
			"Para recibir mensajes de WhatsApp de {business}, llame de nuevo sin ocultar su número o envíe {keywords} a este número. Adiós.",
		MsgVoiceMachine: "Le habla {business}. Para elegir qué mensajes de WhatsApp recibe de nosotros, " +
			"devuelva la llamada a este número o envíe {keywords}. Adiós.",
	}},
}
