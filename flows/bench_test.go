package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/optin/optin/consent"
)

// baseline times f for b.N iterations, before the timer of the benchmark proper starts, so
// each benchmark can report its cost as a ratio to a trivial operation measured in the same
// run: absolute figures on shared machines say little.
func baseline(b *testing.B, f func()) time.Duration {
	b.Helper()
	start := time.Now()
	for range b.N {
		f()
	}
	d := time.Since(start)
	b.ResetTimer()
	return d
}

func BenchmarkHandleMessage(b *testing.B) {
	biz := acme(b)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, text := range []string{"STOP", "YES OFFERS", "Please stop texting me!", "what time do you open tomorrow?"} {
		b.Run(text, func(b *testing.B) {
			in := MessageInput{Business: biz, Phone: "+14155552671", Channel: consent.ChannelSMS, Text: text, Now: now}
			base := baseline(b, func() { _ = strings.Fields(strings.ToUpper(text)) })
			for range b.N {
				HandleMessage(in)
			}
			b.ReportMetric(float64(b.Elapsed())/float64(base), "x_upper_fields")
		})
	}
}

func BenchmarkIVRStep(b *testing.B) {
	biz := acme(b)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	menu := IVRStep(IVRInput{Business: biz, Caller: "+14155552671", Now: now})
	in := IVRInput{Business: biz, Caller: "+14155552671", Step: menu.Next, Digits: "2", Now: now}
	base := baseline(b, func() { _ = strings.Fields(strings.ToUpper(menu.Next)) })
	for range b.N {
		IVRStep(in)
	}
	b.ReportMetric(float64(b.Elapsed())/float64(base), "x_upper_fields")
}

func BenchmarkNormalise(b *testing.B) {
	text := "Ｐｌｅａｓｅ ЅТОР texting me!!! 🙏"
	base := baseline(b, func() { _ = strings.Fields(strings.ToUpper(text)) })
	for range b.N {
		Normalise(text)
	}
	b.ReportMetric(float64(b.Elapsed())/float64(base), "x_upper_fields")
}
