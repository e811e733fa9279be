package main

import (
	"testing"

	"github.com/optin/optin/consent"
)

// stopWrite is an SMS STOP of cats from phone, acknowledged or not.
func stopWrite(phone, ref string, acked bool, cats ...string) write {
	return write{kind: "sms_stop", phone: phone, action: consent.ActionOptOut, categories: cats,
		channel: consent.ChannelSMS, ref: ref, acked: acked, keyPattern: messageKeys(ref)}
}

// optOut is a ledger event opting phone out of category over SMS, keyed as the service keys it.
func optOut(phone, category, ref string) ledgerEvent {
	return ledgerEvent{phone: phone, category: category, action: "opt_out", channel: "sms", ref: ref,
		key: "msg:" + ref + ":" + category}
}

func TestJudgeCountsWhatTheLedgerLacksOrHoldsTooMuchOf(t *testing.T) {
	tests := []struct {
		name   string
		writes []write
		events []ledgerEvent
		want   verdict
	}{
		{
			name:   "an acknowledged STOP recorded once for each category is fine",
			writes: []write{stopWrite("+13125550001", "SM1", true, "a", "b")},
			events: []ledgerEvent{optOut("+13125550001", "a", "SM1"), optOut("+13125550001", "b", "SM1")},
			want:   verdict{},
		},
		{
			name:   "an acknowledged STOP missing a category is lost",
			writes: []write{stopWrite("+13125550001", "SM1", true, "a", "b")},
			events: []ledgerEvent{optOut("+13125550001", "a", "SM1")},
			want:   verdict{ackedLost: 1},
		},
		{
			name:   "an acknowledged STOP recorded twice for a category is a duplicate",
			writes: []write{stopWrite("+13125550001", "SM1", true, "a")},
			events: []ledgerEvent{optOut("+13125550001", "a", "SM1"), optOut("+13125550001", "a", "SM1")},
			want:   verdict{duplicates: 1},
		},
		{
			name:   "a refused STOP recorded anyway is harmless",
			writes: []write{stopWrite("+13125550001", "SM1", false, "a", "b")},
			events: []ledgerEvent{optOut("+13125550001", "a", "SM1"), optOut("+13125550001", "b", "SM1")},
			want:   verdict{recordedUnacked: 1},
		},
		{
			name:   "a refused STOP recorded for some categories only is a partial write",
			writes: []write{stopWrite("+13125550001", "SM1", false, "a", "b")},
			events: []ledgerEvent{optOut("+13125550001", "a", "SM1")},
			want:   verdict{partial: 1},
		},
		{
			name:   "an event nobody asked for is a phantom",
			events: []ledgerEvent{optOut("+13125550009", "a", "SM9")},
			want:   verdict{phantom: 1},
		},
		{
			name:   "an event under another write's reference is mismatched",
			writes: []write{stopWrite("+13125550001", "SM1", true, "a")},
			events: []ledgerEvent{optOut("+13125550001", "a", "SM2")},
			want:   verdict{mismatched: 1},
		},
		{
			name:   "an event replayed under another idempotency key is flagged",
			writes: []write{stopWrite("+13125550001", "SM1", true, "a")},
			events: []ledgerEvent{{phone: "+13125550001", category: "a", action: "opt_out", channel: "sms", ref: "SM1", key: "spool:1:a"}},
			want:   verdict{unexpectedKey: 1},
		},
		{
			name: "two acknowledged writes of one key need two events",
			writes: []write{stopWrite("+13125550001", "SM1", true, "a"),
				stopWrite("+13125550001", "SM2", true, "a")},
			events: []ledgerEvent{optOut("+13125550001", "a", "SM1")},
			want:   verdict{ackedLost: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := judge(tt.writes, tt.events)
			if got.ackedLost != tt.want.ackedLost || got.duplicates != tt.want.duplicates || got.partial != tt.want.partial ||
				got.recordedUnacked != tt.want.recordedUnacked || got.phantom != tt.want.phantom || got.mismatched != tt.want.mismatched ||
				got.unexpectedKey != tt.want.unexpectedKey {
				t.Errorf("judge = lost %d, dup %d, partial %d, unacked-recorded %d, phantom %d, mismatched %d; want %d, %d, %d, %d, %d, %d",
					got.ackedLost, got.duplicates, got.partial, got.recordedUnacked, got.phantom, got.mismatched,
					tt.want.ackedLost, tt.want.duplicates, tt.want.partial, tt.want.recordedUnacked, tt.want.phantom, tt.want.mismatched)
			}
			w := tt.want
			wantFail := w.ackedLost+w.duplicates+w.partial+w.phantom+w.mismatched+w.unexpectedKey > 0
			if bad := anyFailed(got.checks()); bad != wantFail {
				t.Errorf("checks fail = %v, want %v", bad, wantFail)
			}
		})
	}
}
