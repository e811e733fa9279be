package webhooks_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/webhooks"
)

// fakeDNS resolves the names it holds and no others.
type fakeDNS map[string][]netip.Addr

func (f fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

var dns = fakeDNS{
	"hooks.example.com":    {netip.MustParseAddr("93.184.215.14")},
	"internal.example.com": {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.1.2.3")},
	"metadata.example.com": {netip.MustParseAddr("169.254.169.254")},
	"cgnat.example.com":    {netip.MustParseAddr("100.64.0.7")},
	"v6local.example.com":  {netip.MustParseAddr("fd00::1")},
	"localhost":            {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
}

func TestWebhookURLsMustBePublicHTTP(t *testing.T) {
	tests := []struct {
		name, url string
		problem   string // in the refusal; "" when the URL is accepted
	}{
		{"an https URL of a public host", "https://hooks.example.com/optin", ""},
		{"an http URL of a public address", "http://93.184.215.14:8080/hook", ""},
		{"another scheme", "ftp://hooks.example.com/", "must start with https://"},
		{"no scheme", "hooks.example.com/hook", "must start with https://"},
		{"no host", "https:///hook", "names no host"},
		{"a loopback address", "http://127.0.0.1:9000/hook", "127.0.0.1, a loopback address"},
		{"localhost", "http://localhost/hook", "a loopback address"},
		{"an IPv6 loopback", "http://[::1]/hook", "a loopback address"},
		{"a private address", "https://10.0.0.5/hook", "a private address"},
		{"a host with one private address among public ones", "https://internal.example.com/hook", "10.1.2.3, a private address"},
		{"the cloud metadata address", "http://metadata.example.com/latest", "a link-local address"},
		{"shared address space", "https://cgnat.example.com/", "a private address"},
		{"an IPv6 unique local address", "https://v6local.example.com/", "a private address"},
		{"the unspecified address", "http://0.0.0.0/", "an unspecified address"},
		{"a host that does not resolve", "https://nowhere.example.com/", "does not resolve"},
	}
	p := webhooks.AddressPolicy{Resolver: dns}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.CheckURL(context.Background(), tt.url)
			if tt.problem == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, consent.ErrInvalid)
			assert.Contains(t, err.Error(), tt.problem)
			we, ok := errors.AsType[consent.WebhookError](err)
			require.True(t, ok, "%v is a WebhookError", err)
			assert.Equal(t, "url", we.Field)
		})
	}
}

func TestPrivateURLsAreAcceptedWhenAllowed(t *testing.T) {
	p := webhooks.AddressPolicy{AllowPrivate: true, Resolver: dns}
	for _, u := range []string{"http://127.0.0.1:9000/hook", "http://localhost/hook", "https://10.0.0.5/", "http://metadata.example.com/"} {
		_, err := p.CheckURL(context.Background(), u)
		assert.NoError(t, err, u)
	}
	_, err := p.CheckURL(context.Background(), "ftp://127.0.0.1/")
	assert.Error(t, err, "the scheme is checked all the same")
}

func TestAHostThatResolvesPrivateAtDeliveryTimeIsNotDialled(t *testing.T) {
	e := newHookEnv(t)
	r := newReceiver(t, nil)
	w := e.register(r) // registered while private addresses were allowed: a name that now resolves to 127.0.0.1
	opts := e.fastOptions()
	opts.Addresses = webhooks.AddressPolicy{}
	d := e.dispatch(e.store, opts)
	e.optOuts(1)
	require.Eventually(t, func() bool { return d.Stats().FailedAttempts >= 2 }, arrival, 10*time.Millisecond)
	assert.Empty(t, r.requests(), "no connection reached the receiver")
	ds, err := e.registry.Deliveries(context.Background(), "acme", w.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, consent.DeliveryPending, ds[0].Status)
	assert.Zero(t, ds[0].LastStatusCode)
	assert.Contains(t, ds[0].LastError, "127.0.0.1 is a loopback address")
}

func TestRegistryRefusesPrivateURLsAndUnknownEvents(t *testing.T) {
	e := newHookEnv(t)
	strict := webhooks.NewRegistry(e.store, e.sealer, webhooks.AddressPolicy{})
	_, _, err := strict.Create(context.Background(), "acme", "http://127.0.0.1:1/hook", nil)
	assert.ErrorContains(t, err, "a loopback address")
	_, _, err = e.registry.Create(context.Background(), "acme", "http://127.0.0.1:1/hook", []string{"consent.deleted"})
	assert.ErrorContains(t, err, `unknown event "consent.deleted"`)
	_, _, err = e.registry.Create(context.Background(), "acme", "http://127.0.0.1:1/hook", []string{})
	assert.ErrorContains(t, err, "name at least one of consent.changed, signal.recorded")
	keyless := webhooks.NewRegistry(e.store, nil, webhooks.AddressPolicy{AllowPrivate: true})
	_, _, err = keyless.Create(context.Background(), "acme", "http://127.0.0.1:1/hook", nil)
	assert.ErrorIs(t, err, consent.ErrNoWebhookKey)
	ws, err := e.registry.List(context.Background(), "acme")
	require.NoError(t, err)
	assert.Empty(t, ws, "nothing refused was stored")
}
