package spool

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/optin/optin/consent"
)

// KindEvents is an entry whose payload is the events to record, decided when the opt-out
// was taken: an IVR stop or an API opt-out, which depend on nothing but the request. They
// are stamped with the entry's received time (or the person's latest event, when later).
const KindEvents = "events"

// EventsEntry returns the entry of an opt-out whose events are decided already.
func EventsEntry(businessID, phone string, events []consent.Event) (Entry, error) {
	payload, err := json.Marshal(events)
	if err != nil {
		return Entry{}, fmt.Errorf("spool: encode events: %w", err)
	}
	return Entry{Kind: KindEvents, BusinessID: businessID, Phone: phone, Payload: payload}, nil
}

// RebuildEvents is the Rebuild of KindEvents entries.
func RebuildEvents(_ context.Context, e Entry) (consent.Write, error) {
	var events []consent.Event
	if err := json.Unmarshal(e.Payload, &events); err != nil {
		return consent.Write{}, fmt.Errorf("%w: events: %w", ErrRejected, err)
	}
	return consent.Write{BusinessID: e.BusinessID, Phone: e.Phone, Decide: func(st consent.State) consent.Outcome {
		out := make([]consent.Event, len(events))
		for i, ev := range events {
			ev.OccurredAt = st.Now
			out[i] = ev
		}
		return consent.Outcome{Events: out}
	}}, nil
}
