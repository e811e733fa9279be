package webhooks

import (
	"net"
	"net/http"
	"time"
)

// NewClient returns the HTTP client deliveries are made with: every attempt ends after
// timeout, redirects are not followed (a 3xx is a failed attempt, so no redirect leads a
// delivery to another host), no proxy from the environment stands between it and the
// receiver, and the dialer refuses every address the policy does not allow.
func NewClient(p AddressPolicy, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: p.control}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
