package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/optin/optin/consent"
)

// maxURLLength bounds a webhook URL.
const maxURLLength = 2048

// Resolver looks host names up; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// AddressPolicy says which addresses webhooks may reach: public ones only, unless
// AllowPrivate (for development and tests, whose receivers listen on loopback).
type AddressPolicy struct {
	AllowPrivate bool
	Resolver     Resolver // net.DefaultResolver when nil
}

// sharedAddressSpace is 100.64.0.0/10 (RFC 6598), carrier-grade NAT: as private as 10/8.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// refusal names what kind of address ip is when webhooks may not reach it, or "" when they may.
func (p AddressPolicy) refusal(ip netip.Addr) string {
	if p.AllowPrivate {
		return ""
	}
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate(), sharedAddressSpace.Contains(ip):
		return "a private address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "a link-local address"
	case ip.IsUnspecified():
		return "an unspecified address"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	return ""
}

// CheckURL reads a webhook URL and refuses it, with a consent.WebhookError saying why, unless
// it is http or https and its host resolves only to addresses the policy allows.
func (p AddressPolicy) CheckURL(ctx context.Context, raw string) (*url.URL, error) {
	bad := func(format string, args ...any) error {
		return consent.WebhookError{Field: "url", Problem: fmt.Sprintf(format, args...)}
	}
	if raw == "" {
		return nil, bad("is required: the https:// URL webhooks are sent to")
	}
	if len(raw) > maxURLLength {
		return nil, bad("longer than %d characters", maxURLLength)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, bad("not a URL: %v", errors.Unwrap(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bad("%q must start with https:// (or http://)", raw)
	case u.Hostname() == "":
		return nil, bad("%q names no host", raw)
	case u.Fragment != "":
		return nil, bad("%q has a #fragment, which is never sent", raw)
	}
	addrs, err := p.resolve(ctx, u.Hostname())
	if err != nil {
		return nil, bad("host %s does not resolve: %v", u.Hostname(), err)
	}
	for _, a := range addrs {
		if why := p.refusal(a); why != "" {
			return nil, bad("host %s resolves to %s, %s; webhooks go to public addresses only "+
				"(WEBHOOK_ALLOW_PRIVATE=true allows others, for development)", u.Hostname(), a, why)
		}
	}
	return u, nil
}

// resolve returns the addresses of host: itself when it is an IP address.
func (p AddressPolicy) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{ip}, nil
	}
	r := p.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no addresses")
	}
	if dnsErr, ok := errors.AsType[*net.DNSError](err); ok {
		err = errors.New(dnsErr.Err)
	}
	return addrs, err
}

// ErrRefusedAddress is the error of a connection the policy refused to open.
var ErrRefusedAddress = errors.New("refused address")

// control is a net.Dialer Control hook: it refuses to connect to an address the policy
// does not allow, after name resolution, so a host that resolved to a public address when it
// was registered and resolves to a private one now is refused too.
func (p AddressPolicy) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s is not an address and port", ErrRefusedAddress, address)
	}
	if why := p.refusal(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s is %s", ErrRefusedAddress, ap.Addr(), why)
	}
	return nil
}
