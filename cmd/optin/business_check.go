package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

// requireBusiness fails with a message naming the business when no business has the id, so
// that a command about an unknown business never succeeds silently with nothing to show.
func requireBusiness(ctx context.Context, store *postgres.Store, id string) (consent.Business, error) {
	b, err := store.Business(ctx, id)
	if errors.Is(err, consent.ErrNotFound) {
		return b, noBusiness(id)
	}
	if err != nil {
		return b, fmt.Errorf("find business %s: %w", id, err)
	}
	return b, nil
}

// noBusiness is the error of every command given a business id that no business has.
func noBusiness(id string) error {
	return fmt.Errorf("no business %q: apply its business file first (optin business apply -f FILE), "+
		"or see 'optin business list'", id)
}

// openBusinessStore opens the store for a command about one business and reads the
// business, failing when it does not exist; the caller closes the store.
func (c *cli) openBusinessStore(ctx context.Context, id string) (*postgres.Store, consent.Business, error) {
	store, err := c.openStore(ctx)
	if err != nil {
		return nil, consent.Business{}, err
	}
	b, err := requireBusiness(ctx, store, id)
	if err != nil {
		store.Close()
		return nil, b, err
	}
	return store, b, nil
}
