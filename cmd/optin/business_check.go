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
func requireBusiness(ctx context.Context, store *postgres.Store, id string) error {
	_, err := store.Business(ctx, id)
	if errors.Is(err, consent.ErrNotFound) {
		return noBusiness(id)
	}
	if err != nil {
		return fmt.Errorf("find business %s: %w", id, err)
	}
	return nil
}

// noBusiness is the error of every command given a business id that no business has.
func noBusiness(id string) error {
	return fmt.Errorf("no business %q: apply its business file first (optin business apply -f FILE), "+
		"or see 'optin business list'", id)
}

// openBusinessStore opens the store for a command about one business and checks that the
// business exists; the caller closes the store.
func (c *cli) openBusinessStore(ctx context.Context, id string) (*postgres.Store, error) {
	store, err := c.openStore(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireBusiness(ctx, store, id); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}
