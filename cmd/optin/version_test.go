package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersionLine(t *testing.T) {
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"a build from a clean checkout names its commit",
			&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "false"}}},
			true, "optin v1.2.3, commit 0123abcd, built with go1.26.8"},
		{"a build with uncommitted changes says so",
			&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}},
			true, "optin (devel), commit 0123abcd+dirty, built with go1.26.8"},
		{"a build without VCS information has an unknown commit",
			&debug.BuildInfo{GoVersion: "go1.26.8"}, true, "optin (devel), commit unknown, built with go1.26.8"},
		{"a binary without build information still names its Go version",
			nil, false, "optin (devel), commit unknown, built with " + runtime.Version()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, versionLine(tt.info, tt.ok))
		})
	}
}

func TestVersionCommandPrintsTheGoVersion(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "", "version")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "optin "), out)
	assert.Contains(t, out, runtime.Version())
}
