package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/webhooks"
)

const webhookUsage = `webhook add --business ID --url URL [--events consent.changed,signal.recorded]
webhook list --business ID | webhook remove --business ID WEBHOOK_ID

add     registers a receiver of the business's changes and prints its signing secret once,
        alone on the last line; it needs WEBHOOK_SECRET_KEY, the key the servers seal secrets
        with (in an 'optin dev' directory, the one it keeps in .data/)
list    shows the business's webhooks (id, URL, events, state), never a secret
remove  removes a webhook; nothing more is sent to it

URLs must be http(s) and reach public addresses only, unless WEBHOOK_ALLOW_PRIVATE=true (set
for you against the 'optin dev' database of this directory).
`

// devWebhookKeyFile keeps the key 'optin dev' seals webhook secrets with, so its secrets
// still open after a restart and 'optin webhook add' in the same directory uses it too.
var devWebhookKeyFile = filepath.Join(devDataDir, "webhook_secret_key")

func runWebhook(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		c.flags("webhook", webhookUsage).Usage()
		return fmt.Errorf("%w: webhook needs a subcommand: add, list or remove", errUsage)
	}
	switch args[0] {
	case "add":
		return runWebhookAdd(ctx, c, args[1:])
	case "list":
		return runWebhookList(ctx, c, args[1:])
	case "remove":
		return runWebhookRemove(ctx, c, args[1:])
	case "-h", "--help", "help":
		c.flags("webhook", webhookUsage).Usage()
		return nil
	}
	return fmt.Errorf("%w: unknown webhook subcommand %q (add, list, remove)", errUsage, args[0])
}

func runWebhookAdd(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("webhook add", "webhook add --business ID --url URL [--events consent.changed,signal.recorded]\n\nPrints the signing secret alone on the last line.\n")
	business := fs.String("business", "", "business id")
	url := fs.String("url", "", "http(s) URL the webhooks are POSTed to")
	events := fs.String("events", "consent.changed,signal.recorded", "streams to send, separated by commas")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *business == "" || *url == "" {
		return fmt.Errorf("%w: --business ID and --url URL are required", errUsage)
	}
	sealer, err := c.webhookSealer()
	if err != nil {
		return err
	}
	store, _, err := c.openBusinessStore(ctx, *business)
	if err != nil {
		return err
	}
	defer store.Close()
	registry := webhooks.NewRegistry(store, sealer, webhooks.AddressPolicy{AllowPrivate: c.webhookAllowPrivate()})
	w, secret, err := registry.Create(ctx, *business, *url, splitList(*events))
	if err != nil {
		return fmt.Errorf("add webhook: %w", err)
	}
	fmt.Fprintf(c.stdout, "created webhook %d for business %s: %s (%s); its signing secret is shown only once:\n%s\n",
		w.ID, w.BusinessID, w.URL, streamList(w.Streams), secret)
	return nil
}

func runWebhookList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("webhook list", "webhook list --business ID\n")
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
	ws, err := store.WebhookEndpoints(ctx, *business)
	if err != nil {
		return fmt.Errorf("list webhooks: %w", err)
	}
	if len(ws) == 0 {
		fmt.Fprintf(c.stdout, "business %s has no webhooks yet: optin webhook add --business %s --url URL\n", *business, *business)
	}
	for _, w := range ws {
		state := "active"
		if w.DisabledAt != nil {
			state = fmt.Sprintf("disabled %s: %s", w.DisabledAt.Format(time.RFC3339), w.DisabledReason)
		}
		fmt.Fprintf(c.stdout, "%d\t%s\t%s\tcreated %s\t%s\n", w.ID, w.URL, streamList(w.Streams), w.CreatedAt.Format(time.RFC3339), state)
	}
	return nil
}

func runWebhookRemove(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("webhook remove", "webhook remove --business ID WEBHOOK_ID\n")
	business := fs.String("business", "", "business id")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *business == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: webhook remove takes --business ID and one webhook id (see 'optin webhook list')", errUsage)
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("%w: webhook id %q must be a positive number", errUsage, fs.Arg(0))
	}
	store, _, err := c.openBusinessStore(ctx, *business)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.DeleteWebhookEndpoint(ctx, *business, id); errors.Is(err, consent.ErrNotFound) {
		return fmt.Errorf("business %s has no webhook %d (see 'optin webhook list --business %s')", *business, id, *business)
	} else if err != nil {
		return fmt.Errorf("remove webhook: %w", err)
	}
	fmt.Fprintf(c.stdout, "removed webhook %d of business %s\n", id, *business)
	return nil
}

// webhookSealer is the sealer under WEBHOOK_SECRET_KEY, else under the key 'optin dev' keeps
// in this directory.
func (c *cli) webhookSealer() (*webhooks.Sealer, error) {
	raw := c.getenv("WEBHOOK_SECRET_KEY")
	if raw == "" {
		b, err := os.ReadFile(devWebhookKeyFile)
		if err != nil {
			return nil, errors.New("WEBHOOK_SECRET_KEY is not set, and no 'optin dev' of this directory keeps one: " +
				"set it to the key the servers use (base64 of 32 bytes)")
		}
		raw = string(b)
	}
	key, err := webhooks.ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("WEBHOOK_SECRET_KEY: %w", err)
	}
	return webhooks.NewSealer(key)
}

// webhookAllowPrivate is WEBHOOK_ALLOW_PRIVATE; unset, it is true against the 'optin dev'
// database of this directory, whose server allows private addresses too.
func (c *cli) webhookAllowPrivate() bool {
	if v := c.getenv("WEBHOOK_ALLOW_PRIVATE"); v != "" {
		allow, _ := strconv.ParseBool(v)
		return allow
	}
	_, err := os.Stat(devURLFile)
	return c.getenv("DATABASE_URL") == "" && err == nil
}

// devWebhookKey is the webhook secret key of 'optin dev': kept in .data/, made on first use.
func devWebhookKey() ([]byte, error) {
	b, err := os.ReadFile(devWebhookKeyFile)
	if err == nil {
		key, err := webhooks.ParseKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", devWebhookKeyFile, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the dev webhook key: %w", err)
	}
	key := make([]byte, webhooks.KeySize)
	rand.Read(key)
	if err := os.MkdirAll(devDataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", devDataDir, err)
	}
	if err := os.WriteFile(devWebhookKeyFile, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("save the dev webhook key: %w", err)
	}
	return key, nil
}

// splitList reads a comma-separated list, dropping empty entries.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func streamList(ss []consent.WebhookStream) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ",")
}
