package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

const keyUsage = `key create --business ID [--name NAME] | key list --business ID | key revoke ID

create  makes a new API key for a business and prints it once, alone on the last line
list    shows a business's keys (prefix, name, last use), never the secret; an unknown
        business is an error
revoke  revokes a key by its numeric id; requests with it answer 401 from then on (a key
        revoked already is left as it is, and the command says so)
`

func runKey(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		c.flags("key", keyUsage).Usage()
		return fmt.Errorf("%w: key needs a subcommand: create, list or revoke", errUsage)
	}
	switch args[0] {
	case "create":
		return runKeyCreate(ctx, c, args[1:])
	case "list":
		return runKeyList(ctx, c, args[1:])
	case "revoke":
		return runKeyRevoke(ctx, c, args[1:])
	case "-h", "--help", "help":
		c.flags("key", keyUsage).Usage()
		return nil
	}
	return fmt.Errorf("%w: unknown key subcommand %q (create, list, revoke)", errUsage, args[0])
}

func runKeyCreate(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("key create", "key create --business ID [--name NAME]\n\nPrints the new key alone on the last line.\n")
	business := fs.String("business", "", "business id, as in its business file")
	name := fs.String("name", "default", "a name to recognise the key by")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *business == "" {
		return fmt.Errorf("%w: --business ID is required", errUsage)
	}
	store, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	plain, key, err := store.CreateAPIKey(ctx, *business, *name)
	if errors.Is(err, consent.ErrNotFound) {
		return noBusiness(*business)
	}
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	fmt.Fprintf(c.stdout, "created key %d (%s) for business %s; it is shown only once:\n%s\n", key.ID, key.Name, key.BusinessID, plain)
	return nil
}

func runKeyList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("key list", "key list --business ID\n")
	business := fs.String("business", "", "business id")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *business == "" {
		return fmt.Errorf("%w: --business ID is required", errUsage)
	}
	store, _, err := c.openBusinessStore(ctx, *business)
	if err != nil {
		return err
	}
	defer store.Close()
	keys, err := store.APIKeys(ctx, *business)
	if err != nil {
		return fmt.Errorf("list keys: %w", err)
	}
	if len(keys) == 0 {
		fmt.Fprintf(c.stdout, "business %s has no keys yet: optin key create --business %s\n", *business, *business)
	}
	for _, k := range keys {
		state := "active"
		if k.RevokedAt != nil {
			state = "revoked " + k.RevokedAt.Format(time.RFC3339)
		}
		used := "never used"
		if k.LastUsedAt != nil {
			used = "last used " + k.LastUsedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(c.stdout, "%d\t%s…\t%s\tcreated %s\t%s\t%s\n", k.ID, k.Prefix, k.Name, k.CreatedAt.Format(time.RFC3339), used, state)
	}
	return nil
}

func runKeyRevoke(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("key revoke", "key revoke ID\n")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: key revoke takes one key id (see 'optin key list')", errUsage)
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("%w: key id %q must be a positive number", errUsage, fs.Arg(0))
	}
	store, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	key, err := findAPIKey(ctx, store, id)
	if err != nil {
		return err
	}
	if key.RevokedAt != nil {
		fmt.Fprintf(c.stdout, "key %d (%s, business %s) was already revoked at %s; nothing changed\n",
			id, key.Name, key.BusinessID, key.RevokedAt.Format(time.RFC3339))
		return nil
	}
	if err := store.RevokeAPIKey(ctx, id); errors.Is(err, consent.ErrNotFound) {
		return fmt.Errorf("no key %d (see 'optin key list --business ID')", id)
	} else if err != nil {
		return fmt.Errorf("revoke key: %w", err)
	}
	fmt.Fprintf(c.stdout, "revoked key %d (%s, business %s)\n", id, key.Name, key.BusinessID)
	return nil
}

// findAPIKey looks a key up by its id among every business's keys: the store lists keys per
// business only, and a revocation names the key alone.
func findAPIKey(ctx context.Context, store *postgres.Store, id int64) (consent.APIKey, error) {
	bs, err := store.Businesses(ctx)
	if err != nil {
		return consent.APIKey{}, fmt.Errorf("find key %d: %w", id, err)
	}
	for _, b := range bs {
		keys, err := store.APIKeys(ctx, b.ID)
		if err != nil {
			return consent.APIKey{}, fmt.Errorf("find key %d: %w", id, err)
		}
		for _, k := range keys {
			if k.ID == id {
				return k, nil
			}
		}
	}
	return consent.APIKey{}, fmt.Errorf("no key %d (see 'optin key list --business ID')", id)
}
