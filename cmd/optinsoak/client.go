package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/optin/optin/channels/twilio"
)

// answerWait is how long a request waits for its answer: Twilio gives up after 15 s, so an
// answer later than that is as good as none.
const answerWait = 15 * time.Second

// maxBody bounds how much of an answer is kept.
const maxBody = 64 << 10

// answer is what one request got.
type answer struct {
	sent    time.Time
	latency time.Duration // until the whole body was read, or until it failed
	status  int           // 0 when no answer came
	body    []byte
	err     error // why no answer came
}

// answered reports whether an HTTP answer came at all.
func (a answer) answered() bool { return a.status != 0 }

// describe is the answer in a few words, for reports.
func (a answer) describe() string {
	if !a.answered() {
		return "no answer: " + oneLine(fmt.Sprint(a.err))
	}
	body := strings.TrimSpace(string(a.body))
	if body == "" {
		body = "(empty body)"
	}
	return fmt.Sprintf("%d %s", a.status, truncate(body, 120))
}

// client sends the soak's requests over kept-alive loopback connections.
type client struct {
	http  *http.Client
	token string // the Twilio auth token requests are signed with
}

// newClient makes a client keeping up to conns connections per service.
func newClient(token string, conns int) *client {
	t := &http.Transport{
		MaxIdleConns:        conns * 4,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &client{token: token, http: &http.Client{Timeout: answerWait, Transport: t}}
}

// webhook posts a signed Twilio form to svc. pathQuery is the path and query after the
// service's address; the signature covers PUBLIC_URL + pathQuery, as Twilio signs the URL it
// was configured with.
func (c *client) webhook(ctx context.Context, svc *service, pathQuery string, form url.Values) answer {
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, svc.base+pathQuery, strings.NewReader(body))
	if err != nil {
		return answer{sent: time.Now(), err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilio.Signature(c.token, svc.public+pathQuery, form))
	return c.do(req)
}

// api sends a business API request with the key; body, when not nil, is sent as JSON and
// idempotencyKey, when set, as the Idempotency-Key header.
func (c *client) api(ctx context.Context, svc *service, method, path, key, idempotencyKey string, body any) answer {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{sent: time.Now(), err: err}
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, svc.base+path, r)
	if err != nil {
		return answer{sent: time.Now(), err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	return c.do(req)
}

// get fetches one of the service's own routes (/readyz, /metrics).
func (c *client) get(ctx context.Context, svc *service, path string) answer {
	return c.api(ctx, svc, http.MethodGet, path, "", "", nil)
}

// do sends req and reads the answer, timing it.
func (c *client) do(req *http.Request) answer {
	a := answer{sent: time.Now()}
	resp, err := c.http.Do(req)
	if err != nil {
		a.latency, a.err = time.Since(a.sent), err
		return a
	}
	defer resp.Body.Close()
	a.body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	a.latency = time.Since(a.sent)
	if err != nil {
		a.err = err
		return a // a body cut off is no answer
	}
	a.status = resp.StatusCode
	return a
}

// relative turns an absolute URL the service returned (a <Gather> action) into the path and
// query after PUBLIC_URL, to post to any replica.
func relative(svc *service, absolute string) (string, error) {
	rest, ok := strings.CutPrefix(absolute, svc.public)
	if !ok || !strings.HasPrefix(rest, "/") {
		return "", fmt.Errorf("URL %q is not under PUBLIC_URL %s", absolute, svc.public)
	}
	return rest, nil
}
