package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/optin/optin/consent/postgres/localpg"
)

// startDevDatabase starts (or restarts) the PostgreSQL cluster of this directory and records
// its URL for the other commands run here.
func startDevDatabase(ctx context.Context, c *cli) (stop func(), url string, err error) {
	dir, err := devClusterDir(c)
	if err != nil {
		return nil, "", err
	}
	fmt.Fprintf(c.stdout, "Starting a local PostgreSQL in %s …\n", dir)
	srv, err := localpg.Start(ctx, localpg.Options{DataDir: dir})
	if err != nil {
		return nil, "", fmt.Errorf("start local PostgreSQL (or set DATABASE_URL): %w", err)
	}
	if err := srv.CreateDatabase(ctx, "optin"); err != nil {
		srv.Stop()
		return nil, "", fmt.Errorf("create database: %w", err)
	}
	url = srv.URL("optin")
	if err := os.WriteFile(devURLFile, []byte(url+"\n"), 0o600); err != nil {
		srv.Stop()
		return nil, "", fmt.Errorf("record database URL: %w", err)
	}
	return func() {
		os.Remove(devURLFile)
		if err := srv.Stop(); err != nil {
			fmt.Fprintf(c.stderr, "stop local PostgreSQL: %v\n", err)
		}
	}, url, nil
}

// devClusterDir is where the cluster of this directory lives: .data/pg, unless the OS user
// the server runs as cannot reach it (as root the server runs as postgres, and a 0700 parent
// keeps that user out). Then it lives in a directory of the system's temporary directory
// named after this one, so each start of this directory finds the same cluster; it says so.
func devClusterDir(c *cli) (string, error) {
	dir, err := filepath.Abs(filepath.Join(devDataDir, "pg"))
	if err != nil {
		return "", fmt.Errorf("find data directory: %w", err)
	}
	err = localpg.CheckDataDir(dir)
	if err == nil || !errors.Is(err, localpg.ErrUnreachable) {
		return dir, err
	}
	sum := sha256.Sum256([]byte(dir))
	outside := filepath.Join(os.TempDir(), "optin-dev-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(outside, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", outside, err)
	}
	if err := os.Chmod(outside, 0o755); err != nil {
		return "", fmt.Errorf("open %s to the postgres user: %w", outside, err)
	}
	fmt.Fprintf(c.stdout, "The postgres user that runs the local PostgreSQL cannot reach %s: a directory above it\n"+
		"keeps others out (mode 0700). Its data lives in %s instead; every start here reuses it.\n",
		dir, filepath.Join(outside, "pg"))
	return filepath.Join(outside, "pg"), nil
}
