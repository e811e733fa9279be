// Package twilio connects Twilio to the consent service: the Voice webhook and its <Gather>
// steps, the Messaging webhook (SMS and WhatsApp) and message status callbacks.
//
// Every route checks Twilio's request signature before anything else. Handlers bind the
// POST form to typed structs, find the business by the number that was called or texted,
// let the pure flows decide what to say and record, commit the decisions through the store
// exactly once per provider id, and answer with TwiML. The package never decides consent
// itself and never imports the business API.
package twilio
