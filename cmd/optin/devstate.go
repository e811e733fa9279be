package main

import (
	"os"
	"path/filepath"
	"strings"
)

// devServerURLFile holds the public URL of the 'optin dev' serving from this directory while
// it runs, so the simulator finds it on whatever address it listens.
var devServerURLFile = filepath.Join(devDataDir, "server_url")

// readDevServerURL is the URL the 'optin dev' of this directory serves at, or "" when none
// runs here.
func readDevServerURL() string {
	b, err := os.ReadFile(devServerURLFile)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
