package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestExportLinesAreWhatEncodingJSONWrites(t *testing.T) {
	at := time.Date(2025, 4, 11, 9, 30, 15, 0, time.UTC)
	plain := consent.Consent{Phone: "+14155550100", Category: "order_updates", Status: consent.StatusOptedIn,
		Channel: consent.ChannelIVR, UpdatedAt: at, EventID: 42}
	with := func(change func(*consent.Consent)) consent.Consent {
		c := plain
		change(&c)
		return c
	}
	tests := []struct {
		name string
		c    consent.Consent
	}{
		{"a plain consent", plain},
		{"quotes and backslashes", with(func(c *consent.Consent) { c.Phone = `+1"415\555` })},
		{"HTML characters", with(func(c *consent.Consent) { c.Category = "<script>&amp;</script>" })},
		{"control characters", with(func(c *consent.Consent) { c.Phone = "+1\x00\x01\b\f\n\r\t\x1f\x7f" })},
		{"line and paragraph separators", with(func(c *consent.Consent) { c.Category = "a\u2028b\u2029c" })},
		{"invalid UTF-8", with(func(c *consent.Consent) { c.Phone = "+1\xff\xfe415" })},
		{"letters and emoji", with(func(c *consent.Consent) { c.Category = "café 😀 ①" })},
		{"empty strings", with(func(c *consent.Consent) { c.Phone, c.Category, c.Status, c.Channel = "", "", "", "" })},
		{"a time with microseconds", with(func(c *consent.Consent) { c.UpdatedAt = at.Add(123456 * time.Microsecond) })},
		{"a time with nanoseconds", with(func(c *consent.Consent) { c.UpdatedAt = at.Add(100 * time.Nanosecond) })},
		{"a time in another zone is written in UTC", with(func(c *consent.Consent) {
			c.UpdatedAt = at.In(time.FixedZone("CEST", 2*3600))
		})},
		{"a time before the year 1000", with(func(c *consent.Consent) { c.UpdatedAt = time.Date(999, 1, 2, 3, 4, 5, 0, time.UTC) })},
		{"a negative event id", with(func(c *consent.Consent) { c.EventID = -7 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want bytes.Buffer
			require.NoError(t, json.NewEncoder(&want).Encode(toConsentJSON(tt.c)))
			got, err := appendConsentLine([]byte("before "), tt.c)
			require.NoError(t, err)
			require.Equal(t, "before "+want.String(), string(got))
		})
	}
}

func TestAnExportLineWithATimeJSONCannotWriteFails(t *testing.T) {
	c := consent.Consent{Phone: "+14155550100", UpdatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	_, want := json.Marshal(toConsentJSON(c))
	require.Error(t, want)
	_, err := appendConsentLine(nil, c)
	require.Error(t, err)
}
