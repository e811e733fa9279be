package main

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"strings"
)

func runSimulateSMS(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("simulate sms", simulateUsage)
	person := fs.String("from", "", "the texter's number, E.164 (required)")
	business := fs.String("to", demoNumber, "the business number texted")
	whatsapp := fs.Bool("whatsapp", false, "send as WhatsApp (whatsapp: addresses)")
	button := fs.String("button", "", "send as a WhatsApp quick-reply button with this payload")
	f := addSimFlags(c, fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *person == "" {
		return fmt.Errorf("%w: --from +1… is required", errUsage)
	}
	s, err := f.simulator(c)
	if err != nil {
		return err
	}
	ledger := s.openLedger(ctx)
	defer ledger.close()
	from, to := *person, *business
	if *whatsapp || *button != "" {
		from, to = "whatsapp:"+from, "whatsapp:"+to
	}
	send := func(body string) error {
		form := url.Values{
			"MessageSid": {sid("SM")}, "AccountSid": {s.account}, "From": {from}, "To": {to},
			"Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"},
		}
		form.Set("SmsSid", form.Get("MessageSid"))
		if strings.HasPrefix(from, "whatsapp:") {
			form.Set("WaId", strings.TrimPrefix(*person, "+"))
			form.Set("ProfileName", "Simulator")
		}
		if *button != "" {
			form.Set("ButtonPayload", *button)
			form.Set("ButtonText", body)
		}
		doc, err := s.post(ctx, s.base+"/twilio/sms", form)
		if err != nil {
			return err
		}
		replies := doc.messages()
		for _, r := range replies {
			fmt.Fprintf(c.stdout, "reply: %s\n", r)
		}
		return ledger.report(ctx, c.stdout, ledgerQuery{business: *business, person: *person, ref: form.Get("MessageSid"),
			what: "message", explainSilence: len(replies) == 0})
	}
	if fs.NArg() > 0 {
		return send(strings.Join(fs.Args(), " "))
	}
	fmt.Fprintf(c.stdout, "Texting %s as %s. Type a message and press Enter; Ctrl-D ends.\n", to, from)
	in := &lineReader{sc: bufio.NewScanner(c.stdin)}
	for {
		line, ok := in.next(c.stdout, "you> ")
		if !ok {
			return nil
		}
		if line == "" {
			continue
		}
		if err := send(line); err != nil {
			return err
		}
	}
}
