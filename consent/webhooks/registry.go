package webhooks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/optin/optin/consent"
)

// RegistryStore is what registering endpoints needs from the store; *postgres.Store has it.
type RegistryStore interface {
	CreateWebhookEndpoint(ctx context.Context, w consent.WebhookEndpoint) (consent.WebhookEndpoint, error)
	WebhookEndpoints(ctx context.Context, businessID string) ([]consent.WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, businessID string, id int64) error
	WebhookDeliveries(ctx context.Context, businessID string, endpointID int64, limit int) ([]consent.WebhookDelivery, error)
}

// Registry registers, lists and removes a business's endpoints, for the API and the CLI.
type Registry struct {
	store     RegistryStore
	sealer    *Sealer // nil: no key, so no endpoint can be created
	addresses AddressPolicy
}

// NewRegistry returns a registry over store. Without a sealer, Create fails with
// consent.ErrNoWebhookKey and everything else works.
func NewRegistry(store RegistryStore, sealer *Sealer, addresses AddressPolicy) *Registry {
	return &Registry{store: store, sealer: sealer, addresses: addresses}
}

// Create registers url for the streams named (every stream when names is nil) and returns
// the endpoint with its signing secret, which is stored sealed and never shown again. A URL
// or stream that cannot be accepted fails with a consent.WebhookError saying why.
func (r *Registry) Create(ctx context.Context, businessID, url string, names []string) (consent.WebhookEndpoint, string, error) {
	streams, err := ParseStreams(names)
	if err != nil {
		return consent.WebhookEndpoint{}, "", err
	}
	if _, err := r.addresses.CheckURL(ctx, url); err != nil {
		return consent.WebhookEndpoint{}, "", err
	}
	if r.sealer == nil {
		return consent.WebhookEndpoint{}, "", fmt.Errorf("creating a webhook: %w: set WEBHOOK_SECRET_KEY", consent.ErrNoWebhookKey)
	}
	secret := NewSecret()
	w, err := r.store.CreateWebhookEndpoint(ctx, consent.WebhookEndpoint{BusinessID: businessID, URL: url, Streams: streams,
		SealedSecret: r.sealer.Seal(businessID, secret)})
	if err != nil {
		return w, "", err
	}
	return w, secret, nil
}

// List returns a business's endpoints, oldest first.
func (r *Registry) List(ctx context.Context, businessID string) ([]consent.WebhookEndpoint, error) {
	return r.store.WebhookEndpoints(ctx, businessID)
}

// Remove removes an endpoint of a business; consent.ErrNotFound when it has none of that id.
func (r *Registry) Remove(ctx context.Context, businessID string, id int64) error {
	return r.store.DeleteWebhookEndpoint(ctx, businessID, id)
}

// Deliveries returns the newest deliveries to an endpoint of a business.
func (r *Registry) Deliveries(ctx context.Context, businessID string, id int64, limit int) ([]consent.WebhookDelivery, error) {
	return r.store.WebhookDeliveries(ctx, businessID, id, limit)
}

// ParseStreams reads the names of the streams an endpoint subscribes to, in the order of
// consent.WebhookStreams and each once; nil means every stream.
func ParseStreams(names []string) ([]consent.WebhookStream, error) {
	valid := make([]string, len(consent.WebhookStreams))
	for i, s := range consent.WebhookStreams {
		valid[i] = string(s)
	}
	if names == nil {
		return slices.Clone(consent.WebhookStreams), nil
	}
	if len(names) == 0 {
		return nil, consent.WebhookError{Field: "events", Problem: "name at least one of " + strings.Join(valid, ", ")}
	}
	var out []consent.WebhookStream
	for _, s := range consent.WebhookStreams {
		if slices.Contains(names, string(s)) {
			out = append(out, s)
		}
	}
	for _, n := range names {
		if !consent.WebhookStream(n).Valid() {
			return nil, consent.WebhookError{Field: "events", Problem: fmt.Sprintf("unknown event %q; events are %s", n, strings.Join(valid, ", "))}
		}
	}
	return out, nil
}
