package spool_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/spool"
)

// optOut is the entry of an API opt-out of one category.
func optOut(t *testing.T, phone, category string) spool.Entry {
	t.Helper()
	e, err := spool.EventsEntry("acme", phone, []consent.Event{{
		BusinessID: "acme", Phone: phone, Category: category, Action: consent.ActionOptOut,
		Channel: consent.ChannelAPI, Reason: consent.ReasonAPI, IdempotencyKey: "key:" + phone + ":" + category,
	}})
	require.NoError(t, err)
	return e
}

func open(t *testing.T, dir string) *spool.Spool {
	t.Helper()
	s, err := spool.Open(dir, nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// appendAll appends entries for phones and returns them as spooled.
func appendAll(t *testing.T, s *spool.Spool, phones ...string) []spool.Entry {
	t.Helper()
	var out []spool.Entry
	for _, p := range phones {
		e, err := s.Append(optOut(t, p, "offers"))
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

func TestSpooledOptOutsSurviveTheProcessInTheOrderTaken(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	taken := appendAll(t, s, "+14155550101", "+14155550102", "+14155550103")
	assert.True(t, s.Holds("acme", "+14155550102"), "a person with a spooled opt-out is held")
	assert.False(t, s.Holds("acme", "+14155550199"))
	require.NoError(t, s.Close())

	again := open(t, dir)
	st := again.Stats()
	assert.Equal(t, 3, st.Depth)
	assert.Positive(t, st.OldestAge)
	assert.True(t, again.Holds("acme", "+14155550103"), "the hold comes back with the entry")
	ids := map[string]bool{}
	for _, e := range taken {
		assert.True(t, strings.HasPrefix(e.ID, "sp_"), e.ID)
		ids[e.ID] = true
	}
	next, err := again.Append(optOut(t, "+14155550104", "offers"))
	require.NoError(t, err)
	assert.False(t, ids[next.ID], "an id is never given twice, across restarts")
}

func TestASecondProcessCannotOpenASpoolInUse(t *testing.T) {
	dir := t.TempDir()
	open(t, dir)
	_, err := spool.Open(dir, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "in use by another process")
}

func TestDamagedRecordsAreReportedAndNeverBlockTheIntactOnes(t *testing.T) {
	cases := []struct {
		name string
		harm func(data []byte, starts []int) []byte
		kept []string
	}{
		{"a write torn by a crash at the tail", func(data []byte, starts []int) []byte {
			return data[:starts[2]+7]
		}, []string{"+14155550101", "+14155550102"}},
		{"a flipped byte in the middle entry", func(data []byte, starts []int) []byte {
			data[starts[1]+30] ^= 0x40
			return data
		}, []string{"+14155550101", "+14155550103"}},
		{"garbage between two entries", func(data []byte, starts []int) []byte {
			out := append([]byte{}, data[:starts[1]]...)
			out = append(out, []byte("\x00\x00garbage\xfeSP")...)
			return append(out, data[starts[1]:]...)
		}, []string{"+14155550101", "+14155550102", "+14155550103"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir)
			var starts []int
			path := filepath.Join(dir, "spool.log")
			for _, p := range []string{"+14155550101", "+14155550102", "+14155550103"} {
				fi, err := os.Stat(path)
				require.NoError(t, err)
				starts = append(starts, int(fi.Size()))
				appendAll(t, s, p)
			}
			require.NoError(t, s.Close())
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, c.harm(data, starts), 0o600))

			again := open(t, dir)
			st := again.Stats()
			assert.Equal(t, len(c.kept), st.Depth)
			assert.Positive(t, st.DamagedBytes, "the damage is reported")
			for _, p := range c.kept {
				assert.True(t, again.Holds("acme", p), "%s is kept", p)
			}
			aside, err := filepath.Glob(filepath.Join(dir, "spool.log.damaged-*"))
			require.NoError(t, err)
			assert.Len(t, aside, 1, "the damaged file is kept for inspection")

			appendAll(t, again, "+14155550105")
			require.NoError(t, again.Close())
			third := open(t, dir)
			assert.Equal(t, len(c.kept)+1, third.Stats().Depth, "entries appended after the damage are intact")
			assert.Zero(t, third.Stats().DamagedBytes, "the file was rewritten without the damage")
		})
	}
}

func TestAnEntryIsOnDiskBeforeAppendReturns(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	before := time.Now()
	e, err := s.Append(optOut(t, "+14155550101", "offers"))
	require.NoError(t, err)
	assert.False(t, e.Received.Before(before.Add(-time.Second)))
	data, err := os.ReadFile(filepath.Join(dir, "spool.log"))
	require.NoError(t, err)
	assert.Contains(t, string(data), e.ID, "another process reading the file sees the entry")
}
