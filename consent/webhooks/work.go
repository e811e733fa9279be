package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/optin/optin/consent"
)

// storeTimeout bounds one store call made outside the caller's context: recording the
// attempt just made, and releasing the lease, while the dispatcher stops.
const storeTimeout = 5 * time.Second

// work delivers to one leased endpoint, a delivery at a time per stream and the streams in
// turn, until nothing is due, the lease is lost, ctx ends or PerLease attempts were made;
// then it lets the endpoint go.
func (d *Dispatcher) work(ctx context.Context, w consent.WebhookEndpoint, l consent.WebhookLease) {
	secret, err := d.opts.Sealer.Open(w.BusinessID, w.SealedSecret)
	if err != nil {
		// Keep the lease until it runs out, so a secret no key opens is not retried every poll.
		d.opts.Log.Error("webhooks: cannot sign for an endpoint; nothing is sent to it", "webhook", w.ID, "business", w.BusinessID, "err", err)
		return
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		defer cancel()
		if err := d.store.ReleaseWebhookEndpoint(rctx, l); err != nil {
			d.opts.Log.Warn("webhooks: releasing an endpoint failed; its lease runs out instead", "webhook", w.ID, "err", err)
		}
	}()
	for attempts := 0; attempts < d.opts.PerLease; {
		progressed := false
		for _, stream := range w.Streams {
			if ctx.Err() != nil {
				return
			}
			del, ok, err := d.store.NextWebhookDelivery(ctx, l, d.opts.Lease, stream)
			if err != nil {
				d.logStoreError(ctx, w, err)
				return
			}
			if !ok {
				continue
			}
			attempts++
			status, err := d.attempt(ctx, w, l, secret, del)
			if err != nil {
				d.logStoreError(ctx, w, err)
				return
			}
			progressed = progressed || status != consent.DeliveryPending
		}
		if !progressed {
			return
		}
	}
}

// logStoreError logs a store failure, unless the lease was lost (another dispatcher took over,
// or the endpoint went) or the dispatcher is stopping.
func (d *Dispatcher) logStoreError(ctx context.Context, w consent.WebhookEndpoint, err error) {
	if errors.Is(err, consent.ErrLeaseLost) || ctx.Err() != nil {
		return
	}
	d.opts.Log.Warn("webhooks: the store failed; the endpoint is worked again later", "webhook", w.ID, "err", err)
}

// attempt sends a delivery once and records how it went, returning the delivery's status.
// Once sent, the outcome is recorded even when ctx ends meanwhile.
func (d *Dispatcher) attempt(ctx context.Context, w consent.WebhookEndpoint, l consent.WebhookLease, secret string, del consent.WebhookDelivery) (
	consent.DeliveryStatus, error) {
	a := d.send(ctx, w.URL, secret, del)
	a.GiveUpAfter = d.opts.RetryWindow
	if !a.Delivered && !a.Gone {
		a.RetryIn = d.opts.Backoff.Delay(del.Attempts + 1)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	status, err := d.store.RecordWebhookAttempt(rctx, l, d.opts.Lease, del.ID, a)
	if err != nil {
		return "", err
	}
	switch {
	case a.Delivered:
		d.stats.delivered.Add(1)
	case a.Gone:
		d.stats.disabled.Add(1)
		d.opts.Log.Warn("webhooks: the receiver answered 410 Gone; the endpoint is disabled", "webhook", w.ID, "business", w.BusinessID)
	case status == consent.DeliveryFailed:
		d.stats.gaveUp.Add(1)
		d.opts.Log.Warn("webhooks: a delivery failed for good; the endpoint moves on", "webhook", w.ID,
			"delivery", del.ID, "attempts", del.Attempts+1, "last_error", a.Error)
	default:
		d.stats.failedAttempts.Add(1)
	}
	return status, nil
}

// maxReplyBytes is how much of a receiver's answer is read, so the connection can be reused.
const maxReplyBytes = 64 << 10

// send makes one attempt of a delivery: a signed POST that a 2xx ends.
func (d *Dispatcher) send(ctx context.Context, target, secret string, del consent.WebhookDelivery) consent.WebhookAttempt {
	body, err := Body(del)
	if err != nil {
		return consent.WebhookAttempt{Error: err.Error()}
	}
	id, at := MessageID(del), d.opts.Clock()
	signature, err := Sign(secret, id, at, body)
	if err != nil {
		return consent.WebhookAttempt{Error: err.Error()}
	}
	actx, cancel := context.WithTimeout(ctx, d.opts.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return consent.WebhookAttempt{Error: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "optin-webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", signature)
	res, err := d.opts.Client.Do(req)
	if err != nil {
		return consent.WebhookAttempt{Error: attemptError(err)}
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, maxReplyBytes))
	res.Body.Close()
	a := consent.WebhookAttempt{StatusCode: res.StatusCode}
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		a.Delivered = true
	case res.StatusCode == http.StatusGone:
		a.Gone = true
	default:
		a.Error = fmt.Sprintf("the receiver answered %d", res.StatusCode)
	}
	return a
}

// attemptError says why an attempt got no answer, without the request's URL.
func attemptError(err error) string {
	if nerr, ok := errors.AsType[net.Error](err); ok && nerr.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time"
	}
	if uerr, ok := errors.AsType[*url.Error](err); ok {
		err = uerr.Err
	}
	return err.Error()
}
