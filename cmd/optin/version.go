package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

const versionUsage = `version

Prints the version of optin, the commit it was built from (when the build recorded one) and
the Go version that built it.
`

func runVersion(_ context.Context, c *cli, args []string) error {
	if err := parse(c.flags("version", versionUsage), args); err != nil {
		return err
	}
	info, ok := debug.ReadBuildInfo()
	fmt.Fprintln(c.stdout, versionLine(info, ok))
	return nil
}

// versionLine describes a build: the module version, the VCS revision when the build
// recorded one (with "+dirty" for uncommitted changes), and the Go version.
func versionLine(info *debug.BuildInfo, ok bool) string {
	version, commit, goVersion := "(devel)", "unknown", runtime.Version()
	if ok && info != nil {
		if v := info.Main.Version; v != "" {
			version = v
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		var revision, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if revision != "" {
			commit = revision
			if modified == "true" {
				commit += "+dirty"
			}
		}
	}
	return fmt.Sprintf("optin %s, commit %s, built with %s", version, commit, goVersion)
}
