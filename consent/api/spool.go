package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/spool"
)

// Spool keeps the opt-outs taken while the store does not answer in time; *spool.Spool is one.
type Spool interface {
	// Append returns once the entry is on disk.
	Append(e spool.Entry) (spool.Entry, error)
	// Holds reports whether an entry about the person waits to be replayed.
	Holds(businessID, phone string) bool
}

// errHeld is why a write goes to the spool although the store may answer: an earlier
// opt-out of the same person waits there, and nothing about them may overtake it.
var errHeld = errors.New("an earlier opt-out of this person waits in the spool")

// spooledBody is the answer to an opt-out taken into the spool.
type spooledBody struct {
	SpoolID string `json:"spool_id"`
}

// storeUnavailable reports whether a store error means the store did not answer (refused,
// hung, too late, outcome unknown) rather than refusing the write itself.
func storeUnavailable(err error) bool {
	return !errors.Is(err, consent.ErrInvalid) && !errors.Is(err, consent.ErrUnknownCategory) &&
		!errors.Is(err, consent.ErrNotFound)
}

// held reports whether writes about the person must go behind their spooled opt-outs.
func (h *Handler) held(businessID, phone string) bool {
	return h.opts.Spool != nil && h.opts.Spool.Holds(businessID, phone)
}

// commitOrSpool commits the events of one request about one person in that person's unit.
// When the store does not answer within half the request's time, events that all opt out are
// spooled: spoolID is then set and committed empty. Anything else returns the store's error.
func (h *Handler) commitOrSpool(ctx context.Context, businessID, phone string, events []consent.Event) (done consent.Committed, spoolID string, err error) {
	err = errHeld
	if !h.held(businessID, phone) {
		sctx, cancel := context.WithTimeout(ctx, h.opts.RequestTimeout/2)
		done, err = h.store.Commit(sctx, consent.Write{BusinessID: businessID, Phone: phone, Decide: stampedAt(events)})
		cancel()
	}
	if err == nil || !storeUnavailable(err) || h.opts.Spool == nil || !allOptOuts(events) {
		return done, "", err
	}
	e, serr := spool.EventsEntry(businessID, phone, events)
	if serr == nil {
		e, serr = h.opts.Spool.Append(e)
	}
	if serr != nil {
		return done, "", errors.Join(err, serr)
	}
	h.logger.WarnContext(ctx, "opt-out spooled: the store did not answer", "business", businessID,
		"phone", consent.MaskPhone(phone), "spool_id", e.ID, "cause", err.Error())
	return consent.Committed{}, e.ID, nil
}

// stampedAt returns a Decide that records events at the unit's time.
func stampedAt(events []consent.Event) func(consent.State) consent.Outcome {
	return func(st consent.State) consent.Outcome {
		out := make([]consent.Event, len(events))
		for i, e := range events {
			e.OccurredAt = st.Now
			out[i] = e
		}
		return consent.Outcome{Events: out}
	}
}

func allOptOuts(events []consent.Event) bool {
	for _, e := range events {
		if e.Action != consent.ActionOptOut {
			return false
		}
	}
	return len(events) > 0
}

// answerSpooled answers an opt-out taken into the spool: 202 with its spool id.
func answerSpooled(c *gin.Context, id string) {
	c.JSON(http.StatusAccepted, spooledBody{SpoolID: id})
}
