package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

// ledgerView reads what the ledger recorded for one simulated call, message or callback,
// from the database the other commands use (DATABASE_URL, or this directory's 'optin dev').
type ledgerView struct {
	store *postgres.Store // nil when there is no database to read
	why   string          // why store is nil
}

// ledgerQuery names one simulated exchange: the business number, the person's number, and the
// CallSid or MessageSid that every event it recorded carries as provider_ref.
type ledgerQuery struct {
	business, person, ref string
	what                  string // "call", "message" or "callback", for the printed lines
	explainSilence        bool   // the message got no reply: say why
	note                  string // why nothing may have been recorded, when the caller knows
}

// ledgerFacts is what the database says about a query.
type ledgerFacts struct {
	business      *consent.Business // nil when no business has the number
	phone         string            // the person's E.164 number; "" when it is none
	events        []consent.Event   // the events the exchange recorded, oldest first
	signal        *consent.Signal   // the platform signal a status callback gave, if any
	optedOutOfAll bool              // the person is opted out of every category of the business
}

// openLedger opens the database to read the ledger from; without one the simulator still
// runs and says why it shows no ledger.
func (s *simulator) openLedger(ctx context.Context) *ledgerView {
	url, err := s.c.databaseURL()
	if err != nil {
		return &ledgerView{why: "set DATABASE_URL to the server's database to see it"}
	}
	store, err := postgres.Open(ctx, url)
	if err != nil {
		return &ledgerView{why: fmt.Sprintf("opening the database: %v", err)}
	}
	return &ledgerView{store: store}
}

func (l *ledgerView) close() {
	if l.store != nil {
		l.store.Close()
	}
}

// report prints what the ledger recorded for q, and why a message got no reply. It fails
// when no business has the number played against, as every command about an unknown
// business does; a ledger it cannot read is only mentioned.
func (l *ledgerView) report(ctx context.Context, w io.Writer, q ledgerQuery) error {
	if l.store == nil {
		fmt.Fprintf(w, "ledger: not shown (%s)\n", l.why)
		return nil
	}
	f, err := l.facts(ctx, q)
	if err != nil {
		fmt.Fprintf(w, "ledger: not shown (%v)\n", err)
		return nil
	}
	for _, line := range describeLedger(q, f) {
		fmt.Fprintln(w, line)
	}
	if f.business == nil {
		return fmt.Errorf("no business has the number %s: apply its business file, or pass the number of one (see 'optin business list')", q.business)
	}
	return nil
}

// facts reads the business of the number, the person's events carrying q.ref, and whether
// the person is opted out of everything.
func (l *ledgerView) facts(ctx context.Context, q ledgerQuery) (ledgerFacts, error) {
	var f ledgerFacts
	number, err := consent.NormalizeBusinessNumber(q.business)
	if err != nil {
		return f, nil
	}
	b, err := l.store.BusinessByNumber(ctx, number)
	if errors.Is(err, consent.ErrNotFound) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("reading the business: %w", err)
	}
	f.business = &b
	if f.phone, err = consent.NormalizePhone(q.person, b.Region); err != nil {
		f.phone = ""
		return f, nil
	}
	events, err := l.store.Evidence(ctx, b.ID, f.phone)
	if err != nil {
		return f, fmt.Errorf("reading the evidence: %w", err)
	}
	for _, e := range events {
		if e.ProviderRef == q.ref {
			f.events = append(f.events, e)
		}
	}
	if q.what == "callback" {
		sg, err := l.store.SignalOf(ctx, b.ID, q.ref)
		switch {
		case err == nil:
			f.signal = &sg
		case !errors.Is(err, consent.ErrNotFound):
			return f, err
		}
	}
	consents, err := l.store.ConsentsOf(ctx, b.ID, f.phone)
	if err != nil {
		return f, fmt.Errorf("reading the consents: %w", err)
	}
	f.optedOutOfAll = len(notOptedOutOf(b, consents)) == 0
	return f, nil
}

// notOptedOutOf returns the categories of b that the consents do not opt out of.
func notOptedOutOf(b consent.Business, consents []consent.Consent) []string {
	out := []string{}
	for _, key := range b.CategoryKeys() {
		opted := false
		for _, c := range consents {
			opted = opted || (c.Category == key && c.Status == consent.StatusOptedOut)
		}
		if !opted {
			out = append(out, key)
		}
	}
	return out
}

// describeLedger turns the facts of a query into the lines the simulator prints.
func describeLedger(q ledgerQuery, f ledgerFacts) []string {
	if f.business == nil {
		return append([]string{fmt.Sprintf("ledger: nothing recorded: no business has the number %s", q.business)},
			silence(q, fmt.Sprintf("no business has the number %s (apply its business file)", q.business))...)
	}
	if f.phone == "" {
		return append([]string{fmt.Sprintf("ledger: nothing recorded: %s is not a phone number", q.person)},
			silence(q, fmt.Sprintf("%s is not a phone number", q.person))...)
	}
	var lines []string
	for _, e := range f.events {
		lines = append(lines, fmt.Sprintf("ledger: event %d: %s %s (%s, %s, input %q)", e.ID, e.Action, e.Category, e.Channel, e.Reason, e.Input))
	}
	if f.signal != nil {
		lines = append(lines, fmt.Sprintf("signals: signal %d: %s (%s, error %s); consent unchanged", f.signal.ID, f.signal.Kind, f.signal.Channel, f.signal.ErrorCode))
	}
	if len(f.events) == 0 {
		why := q.note
		if why == "" && f.optedOutOfAll && q.what != "call" {
			why = "the number was already opted out of every category"
		}
		line := "ledger: nothing recorded for this " + q.what
		if why != "" {
			line += ": " + why
		}
		lines = append(lines, line)
	}
	if f.optedOutOfAll {
		return append(lines, silence(q, "the number is opted out of everything, and a repeat STOP or an ordinary message gets no answer")...)
	}
	return append(lines, silence(q, "the server answered without a message")...)
}

// silence is the "no reply" line of a message that got no reply, saying why.
func silence(q ledgerQuery, why string) []string {
	if !q.explainSilence {
		return nil
	}
	return []string{"no reply: " + why}
}
