package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/optin/optin/channels/twilio"
)

// signedForm is a Twilio webhook ready to send: the full URL, the encoded form and the
// X-Twilio-Signature Twilio would send with it.
type signedForm struct {
	url, body, signature string
}

func signForm(fullURL string, form url.Values) signedForm {
	return signedForm{url: fullURL, body: form.Encode(), signature: twilio.Signature(benchToken, fullURL, form)}
}

// formPool holds each worker's first requests, built and signed before the window opens, so
// the load generator spends its share of the two cores sending rather than encoding and
// signing. A worker that outruns its pool builds the rest as it goes. With cycle set, a worker
// sends its pool over and over: for requests that may repeat (IVR menus, reads).
type formPool struct {
	forms [][]signedForm
	build func(w, i int) signedForm
	cycle bool
}

func newFormPool(workers, perWorker int, cycle bool, build func(w, i int) signedForm) *formPool {
	p := &formPool{forms: make([][]signedForm, workers), build: build, cycle: cycle}
	for w := range p.forms {
		p.forms[w] = make([]signedForm, perWorker)
		for i := range perWorker {
			p.forms[w][i] = build(w, i)
		}
	}
	return p
}

func (p *formPool) get(w, i int) signedForm {
	forms := p.forms[w]
	switch {
	case p.cycle && len(forms) > 0:
		return forms[i%len(forms)]
	case i < len(forms):
		return forms[i]
	}
	return p.build(w, i)
}

// phoneSpan is how many fresh phones each worker may use in one scenario.
func phoneSpan(workers int) int { return 7_000_000 / workers }

// freshPhone is a US number used by no other worker, request or scenario of the run: each
// scenario has its own area code and each worker its own block of it.
func freshPhone(area string, workers, w, i int) string {
	return "+1" + area + strconv.Itoa(2_000_000+w*phoneSpan(workers)+i)
}

// sid is a provider id (34 characters, as Twilio's) unique per scenario, worker and request.
func sid(prefix string, scenario, w, i int) string {
	return fmt.Sprintf("%s%02d%04d%026d", prefix, scenario, w, i)
}

// postForm sends a signed webhook and checks that it was answered 200.
func (c *client) postForm(ctx context.Context, f signedForm) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, strings.NewReader(f.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", f.signature)
	_, err = c.do(req, io.Discard)
	return err
}

// get sends an API request with a bearer key and checks that it was answered 200.
func (c *client) get(ctx context.Context, path, key string) error {
	_, err := c.getTo(ctx, path, key, io.Discard)
	return err
}

// getTo sends an API request and copies the answer to w, returning how many bytes it held.
func (c *client) getTo(ctx context.Context, path, key string, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return c.do(req, w)
}

// do sends req and copies the body to w; any status but 200 is an error quoting the body.
func (c *client) do(req *http.Request, w io.Writer) (int64, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var buf bytes.Buffer
		io.Copy(&buf, io.LimitReader(resp.Body, 300)) //nolint:errcheck // quoted as far as it came
		return 0, fmt.Errorf("%s %s answered %d: %s", req.Method, req.URL.Path, resp.StatusCode, buf.Bytes())
	}
	return io.Copy(w, resp.Body)
}
