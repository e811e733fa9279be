package api

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestCursorRoundTripsAndRefusesTampering(t *testing.T) {
	cc := cursorCodec{secret: []byte("test secret")}
	pos := consent.ConsentKey{Phone: "+14155550100", Category: "offers"}
	cur := cc.encode("acme", pos)

	got, err := cc.decode("acme", cur)
	require.NoError(t, err)
	require.Equal(t, pos, got)

	body, sig, _ := strings.Cut(cur, ".")
	forged, _ := base64.RawURLEncoding.DecodeString(body)
	forgedBody := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(forged), "0100", "0199", 1)))
	flipped := []byte(sig)
	flipped[0] ^= 1
	tests := []struct {
		name, business, cursor string
	}{
		{"a cursor of another business", "globex", cur},
		{"a changed position with the old signature", "acme", forgedBody + "." + sig},
		{"a changed signature", "acme", body + "." + string(flipped)},
		{"no signature", "acme", body},
		{"not base64", "acme", "!!!." + sig},
		{"empty", "acme", ""},
		{"a signed position that is not JSON", "acme", signedRaw(cc, "acme", "nope")},
		{"a signed position of an unknown version", "acme", signedRaw(cc, "acme", `{"v":2,"p":"+14155550100","c":"x"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cc.decode(tt.business, tt.cursor)
			require.True(t, errors.Is(err, consent.ErrInvalidCursor), "got %v", err)
		})
	}
}

func signedRaw(cc cursorCodec, business, payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(cc.mac(business, []byte(payload)))
}

func TestCSVCellsThatSpreadsheetsWouldRunAreQuoted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"+14155550100", "'+14155550100"},
		{"-1+1", "'-1+1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"order_updates", "order_updates"},
		{"", ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, safeCell(tt.in), "cell %q", tt.in)
	}
}

func TestBearerHeaderParsing(t *testing.T) {
	tests := []struct {
		name, header, want string
		ok                 bool
	}{
		{"a bearer key", "Bearer optin_abc", "optin_abc", true},
		{"the scheme in lower case", "bearer optin_abc", "optin_abc", true},
		{"no header", "", "", false},
		{"basic auth", "Basic dXNlcjpwYXNz", "", false},
		{"a scheme with no key", "Bearer ", "", false},
		{"an absurdly long key", "Bearer " + strings.Repeat("a", maxKeyLength+1), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := bearer(tt.header)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestKeyGateLimitsEachKeyOnItsOwn(t *testing.T) {
	g := newKeyGate(1, 2) // one a second, two at once
	now := time.Date(2025, 4, 11, 12, 0, 0, 0, time.UTC)
	for i := range 2 {
		_, ok := g.allow(1, now)
		require.True(t, ok, "request %d within the burst", i+1)
	}
	wait, ok := g.allow(1, now)
	require.False(t, ok, "the third request at once is over the limit")
	require.Equal(t, time.Second, wait)
	_, ok = g.allow(2, now)
	require.True(t, ok, "another key has its own budget")
	_, ok = g.allow(1, now.Add(time.Second))
	require.True(t, ok, "a second later the key may ask again")
}

func TestKeyUseIsWrittenAtMostOnceAMinute(t *testing.T) {
	g := newKeyGate(1, 1)
	now := time.Date(2025, 4, 11, 12, 0, 0, 0, time.UTC)
	require.True(t, g.shouldTouch(1, now), "first use")
	require.False(t, g.shouldTouch(1, now.Add(59*time.Second)), "within the minute")
	require.True(t, g.shouldTouch(1, now.Add(time.Minute)), "a minute later")
	require.True(t, g.shouldTouch(2, now), "another key")
}
