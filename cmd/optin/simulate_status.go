package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// errorOptedOut is the Twilio error code of a message to a number that opted out at Twilio.
const errorOptedOut = "21610"

// statusCodes are the Twilio error codes optin acts on in a status callback, with what each
// means for the recipient.
var statusCodes = map[string]string{
	"21610": "the recipient opted out at Twilio (replied STOP to Twilio): an opt-out of every category",
	"63033": "the recipient stopped marketing messages from this WhatsApp sender: a platform signal, never an opt-out",
	"63049": "Meta held a marketing message back (its cap or the US pause): a platform signal, never an opt-out",
	"63014": "the message could not be delivered on WhatsApp: a platform signal, never an opt-out",
}

func runSimulateStatus(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("simulate status", simulateUsage)
	person := fs.String("to", "", "the recipient of the failed message, E.164 (required)")
	code := fs.String("error", "", "Twilio ErrorCode: 21610, 63033, 63049 or 63014 (required)")
	business := fs.String("from", demoNumber, "the business number that sent the message")
	whatsapp := fs.Bool("whatsapp", false, "the message went over WhatsApp (whatsapp: addresses)")
	f := addSimFlags(c, fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *person == "" || *code == "" {
		return fmt.Errorf("%w: --to PHONE and --error CODE are required", errUsage)
	}
	meaning, known := statusCodes[*code]
	if !known {
		if _, err := strconv.Atoi(*code); err != nil {
			return fmt.Errorf("%w: --error %q must be a Twilio error code such as 21610, 63033 or 63049", errUsage, *code)
		}
		meaning = "a code optin does not act on: nothing changes"
	}
	s, err := f.simulator(c)
	if err != nil {
		return err
	}
	from, to := *business, *person
	if *whatsapp {
		from, to = "whatsapp:"+from, "whatsapp:"+to
	}
	form := url.Values{
		"MessageSid": {sid("SM")}, "AccountSid": {s.account}, "From": {from}, "To": {to},
		"MessageStatus": {"undelivered"}, "ErrorCode": {*code}, "ApiVersion": {"2010-04-01"},
	}
	form.Set("SmsSid", form.Get("MessageSid"))
	form.Set("SmsStatus", form.Get("MessageStatus"))
	fmt.Fprintf(c.stdout, "Status callback: the message from %s to %s failed with %s, %s.\n", from, to, *code, meaning)
	if _, err := s.post(ctx, s.base+"/twilio/status", form); err != nil {
		return err
	}
	ledger := s.openLedger(ctx)
	defer ledger.close()
	q := ledgerQuery{business: *business, person: *person, ref: form.Get("MessageSid"), what: "callback"}
	if *code != errorOptedOut {
		q.note = "only 21610 changes consent; " + *code + " is not an opt-out, at most a platform signal"
	}
	return ledger.report(ctx, c.stdout, q)
}
