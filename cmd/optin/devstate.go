package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
)

// devServerURLFile holds the public URL of the 'optin dev' serving from this directory while
// it runs, so the simulator finds it on whatever address it listens.
var devServerURLFile = filepath.Join(devDataDir, "server_url")

// devAPIKeyFile keeps the API key 'optin dev' made, so every start shows the same key and the
// scripts written around it keep working.
var devAPIKeyFile = filepath.Join(devDataDir, "api_key")

// readDevServerURL is the URL the 'optin dev' of this directory serves at, or "" when none
// runs here.
func readDevServerURL() string {
	b, err := os.ReadFile(devServerURLFile)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// writeDevServerURL records where this 'optin dev' serves; the returned func removes it.
func writeDevServerURL(url string) (remove func(), err error) {
	if err := os.WriteFile(devServerURLFile, []byte(url+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("record the server URL: %w", err)
	}
	return func() { os.Remove(devServerURLFile) }, nil
}

// devAPIKey returns the dev API key of the business: the one kept in devAPIKeyFile while it
// still verifies for that business, else a new one, which it keeps.
func devAPIKey(ctx context.Context, store *postgres.Store, businessID string) (key string, reused bool, err error) {
	if b, err := os.ReadFile(devAPIKeyFile); err == nil {
		kept := strings.TrimSpace(string(b))
		k, err := store.VerifyAPIKey(ctx, kept)
		switch {
		case err == nil && k.BusinessID == businessID:
			return kept, true, nil
		case err != nil && !errors.Is(err, consent.ErrNotFound) && !errors.Is(err, consent.ErrRevokedKey):
			return "", false, fmt.Errorf("check the kept API key: %w", err)
		}
	}
	key, _, err = store.CreateAPIKey(ctx, businessID, "dev")
	if err != nil {
		return "", false, fmt.Errorf("create API key: %w", err)
	}
	if err := os.WriteFile(devAPIKeyFile, []byte(key+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("keep the API key: %w", err)
	}
	return key, false, nil
}
