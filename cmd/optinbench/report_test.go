package main

import (
	"strings"
	"testing"
	"time"
)

// figs builds a run's figures from name → value, with p99 in milliseconds where given.
func figs(values map[string]float64, p99ms map[string]float64) map[string]figure {
	out := map[string]figure{}
	for name, v := range values {
		out[name] = figure{name: name, value: v, unit: "req/s", p99: time.Duration(p99ms[name] * float64(time.Millisecond))}
	}
	return out
}

func goalNamed(t *testing.T, label string) goal {
	t.Helper()
	for _, g := range goals {
		if g.label == label {
			return g
		}
	}
	t.Fatalf("no goal %q", label)
	return goal{}
}

func TestGoals(t *testing.T) {
	tests := []struct {
		name     string
		label    string
		values   map[string]float64
		p99ms    map[string]float64
		measured bool
		met      bool
		ratio    float64
	}{
		{name: "a STOP rate of 1.5 times the direct transaction meets its goal", label: "sms_stop",
			values: map[string]float64{"sms_stop": 3000, "direct_txn": 2000}, measured: true, met: true, ratio: 1.5},
		{name: "a STOP rate of a tenth of the direct transaction misses", label: "sms_stop",
			values: map[string]float64{"sms_stop": 200, "direct_txn": 2000}, measured: true, ratio: 0.1},
		{name: "a STOP p99 of exactly 50 ms meets the bound", label: "sms_stop p99",
			values: map[string]float64{"sms_stop": 1}, p99ms: map[string]float64{"sms_stop": 50}, measured: true, met: true},
		{name: "a STOP p99 over 50 ms misses", label: "sms_stop p99",
			values: map[string]float64{"sms_stop": 1}, p99ms: map[string]float64{"sms_stop": 51}, measured: true},
		{name: "a deep page p99 compares with the first page's p99, not throughput", label: "api_list_900k p99",
			values: map[string]float64{"api_list_900k": 1, "api_list_100": 1000},
			p99ms:  map[string]float64{"api_list_900k": 30, "api_list_100": 20}, measured: true, met: true, ratio: 1.5},
		{name: "a deep page twice as slow at the tail misses", label: "api_list_900k p99",
			values: map[string]float64{"api_list_900k": 1, "api_list_100": 1},
			p99ms:  map[string]float64{"api_list_900k": 40, "api_list_100": 20}, measured: true, ratio: 2},
		{name: "an export RSS of 64 MB misses: it must stay below", label: "export_rss",
			values: map[string]float64{"export_rss": 64}, measured: true},
		{name: "a goal whose baseline was not measured is not judged", label: "api_lookup",
			values: map[string]float64{"api_lookup": 100}},
		{name: "a goal whose baseline measured zero is not judged", label: "export_ndjson",
			values: map[string]float64{"export_ndjson": 100, "copy_to_stdout": 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := evaluate(goalNamed(t, tc.label), figs(tc.values, tc.p99ms))
			if o.measured != tc.measured || o.met != tc.met {
				t.Fatalf("measured %v met %v, want measured %v met %v", o.measured, o.met, tc.measured, tc.met)
			}
			if tc.ratio != 0 && (o.ratio < tc.ratio-1e-9 || o.ratio > tc.ratio+1e-9) {
				t.Fatalf("ratio %v, want %v", o.ratio, tc.ratio)
			}
		})
	}
}

func TestMissedNamesEachGoalMissedAndNoneUnmeasured(t *testing.T) {
	f := figs(map[string]float64{"sms_stop": 100, "direct_txn": 1000, "sms_stop_10biz": 100},
		map[string]float64{"sms_stop": 10})
	miss := missed(f)
	if len(miss) != 1 || !strings.HasPrefix(miss[0], "sms_stop (ratio 0.100") {
		t.Fatalf("missed %q, want only the sms_stop ratio", miss)
	}
}

func TestTableShowsFigureGoalsAndFurtherGoalsBelow(t *testing.T) {
	f := figs(map[string]float64{"direct_txn": 1000, "sms_stop": 2000, "sms_stop_10biz": 2000},
		map[string]float64{"sms_stop": 80})
	f["sms_stop"] = figure{name: "sms_stop", value: 2000, unit: "req/s", p50: 5 * time.Millisecond, p99: 80 * time.Millisecond,
		baseline: "direct_txn", note: "STOP"}
	var out strings.Builder
	writeTable(&out, []string{"direct_txn", "sms_stop", "sms_stop_10biz"}, f)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := [][]string{
		{"figure", "value", "p50", "p99", "baseline", "ratio", "goal", "note"},
		{"direct_txn", "1000 req/s"},
		{"sms_stop", "2000 req/s", "5.00 ms", "80.0 ms", "direct_txn", "2.000", "≥ 1.50×", "ok", "STOP"},
		{"sms_stop p99", "80.0 ms p99", "≤ 50 ms", "MISS"},
		{"sms_stop hot/10biz", "2000 req/s", "sms_stop_10biz", "1.000", "≥ 0.80×", "ok"},
		{"sms_stop_10biz", "2000 req/s"},
	}
	if len(lines) != len(want) {
		t.Fatalf("table has %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, cells := range want {
		rest := lines[i]
		for _, c := range cells {
			at := strings.Index(rest, c)
			if at < 0 {
				t.Fatalf("line %d %q lacks %q (in order)", i, lines[i], c)
			}
			rest = rest[at+len(c):]
		}
	}
}

func TestSelectStepsAddsBaselinesAndTheirSecondWindow(t *testing.T) {
	all := []step{
		{name: "direct_txn"}, {name: "sms_stop", needs: []string{"direct_txn"}}, {name: "sms_help", needs: []string{"direct_txn"}},
		{name: "direct_txn (again)", repeats: "direct_txn"},
		{name: "export_ndjson", also: []string{"copy_to_stdout"}},
	}
	tests := []struct {
		only []string
		want string
	}{
		{only: []string{"sms_stop"}, want: "direct_txn,sms_stop,direct_txn (again)"},
		{only: []string{"copy_to_stdout"}, want: "export_ndjson"},
		{only: nil, want: "direct_txn,sms_stop,sms_help,direct_txn (again),export_ndjson"},
		{only: []string{"nothing"}, want: ""},
	}
	for _, tc := range tests {
		if got := strings.Join(stepNames(selectSteps(all, tc.only)), ","); got != tc.want {
			t.Errorf("--only %v ran %q, want %q", tc.only, got, tc.want)
		}
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 200; i++ {
		lat = append(lat, time.Duration(i))
	}
	if p50, p99 := percentile(lat, 50), percentile(lat, 99); p50 != 100 || p99 != 198 {
		t.Fatalf("p50 %d p99 %d, want 100 and 198", p50, p99)
	}
	if percentile(nil, 99) != 0 || percentile(lat[:1], 99) != 1 {
		t.Fatal("percentiles of no or one latency are wrong")
	}
}

func TestGatherActionIsReadFromTwiML(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" action="http://127.0.0.1:1/twilio/voice/step?s=m0&amp;x=1" method="POST"><Say>Hi</Say></Gather><Redirect>http://127.0.0.1:1/twilio/voice/step?s=m0&amp;timeout=1</Redirect></Response>`
	got, err := gatherActionOf(strings.NewReader(doc))
	if err != nil || got != "http://127.0.0.1:1/twilio/voice/step?s=m0&x=1" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := gatherActionOf(strings.NewReader(`<Response><Say>Bye</Say><Hangup/></Response>`)); err != errNoGather {
		t.Fatalf("a hang-up gave %v, want errNoGather", err)
	}
}
