package flows

import (
	"slices"
	"testing"
)

func TestReadIntent(t *testing.T) {
	b := acme(t)
	tests := []struct {
		name    string
		text    string
		kind    intentKind
		cats    []string
		natural bool
	}{
		{"HELP asks for help", "help", intentHelp, nil, false},
		{"Spanish AYUDA asks for help", "Ayuda", intentHelp, nil, false},
		{"French AIDE asks for help", "aide", intentHelp, nil, false},
		{"INFO asks for help", "INFO", intentHelp, nil, false},
		{"help me please asks for help", "Help me please", intentHelp, nil, false},
		{"help me stop this is revocation", "help me stop this", intentStop, nil, true},
		{"a long sentence starting with help is something else", "help yourself to our new catalogue today", intentOther, nil, false},
		{"STOP stops everything", "STOP", intentStop, nil, false},
		{"stop with punctuation stops everything", "Stop.", intentStop, nil, false},
		{"STOP ALL stops everything", "stop all", intentStop, nil, false},
		{"UNSUBSCRIBE stops everything", "unsubscribe", intentStop, nil, false},
		{"opt-out stops everything", "opt-out", intentStop, nil, false},
		{"Spanish NO MÁS stops everything", "No más", intentStop, nil, false},
		{"Spanish PARA alone stops everything", "para", intentStop, nil, false},
		{"French ARRÊT stops everything", "Arrêt", intentStop, nil, false},
		{"STOP OFFERS stops only offers", "STOP OFFERS", intentStop, []string{"offers"}, false},
		{"STOP OFFERS ORDERS stops both", "stop offers orders", intentStop, []string{"order_updates", "offers"}, false},
		{"STOP OFFERS please is still exact", "Stop offers please", intentStop, []string{"offers"}, false},
		{"STOP ALL OFFERS stops everything", "STOPALL OFFERS", intentStop, nil, false},
		{"please stop texting me is revocation", "Please stop texting me!", intentStop, nil, true},
		{"remove me from your list is revocation", "remove me from your list", intentStop, nil, true},
		{"a long message with STOP in it is revocation", "I really like you but I want this to stop now ok thanks bye", intentStop, nil, true},
		{"cancel my order reads as revocation where unsure", "cancel my order", intentStop, nil, true},
		{"END in a long message is not revocation", "I will be at the end of the street in ten minutes or so", intentOther, nil, false},
		{"Spanish dejen de enviar is revocation", "Dejen de enviarme mensajes", intentStop, nil, true},
		{"STOP OFFERS plus a stranger word is revocation of all", "stop offers now", intentStop, nil, true},
		{"YES answers", "yes", intentYes, nil, false},
		{"Y answers", "y", intentYes, nil, false},
		{"Sí answers", "Sí", intentYes, nil, false},
		{"YES please answers", "Yes please!", intentYes, nil, false},
		{"YES OFFERS answers for offers", "yes offers", intentYes, []string{"offers"}, false},
		{"YES ALL answers for everything", "YES ALL", intentYes, nil, false},
		{"YES to a stranger word is not an answer", "yes but later", intentOther, nil, false},
		{"a keyword asks for its disclosure", "Offers", intentRequest, []string{"offers"}, false},
		{"two keywords ask for both", "orders restock", intentRequest, []string{"order_updates", "restock"}, false},
		{"START asks for everything", "start", intentRequest, nil, false},
		{"JOIN OFFERS asks for offers", "join offers", intentRequest, []string{"offers"}, false},
		{"hi is something else", "hi there", intentOther, nil, false},
		{"an empty message is something else", "🙂", intentOther, nil, false},
		{"thanks alone is something else", "thanks", intentOther, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readIntent(Normalise(tt.text), b)
			if got.kind != tt.kind || !slices.Equal(keysOfCategories(got.categories), tt.cats) && len(tt.cats)+len(got.categories) > 0 || got.natural != tt.natural {
				t.Errorf("readIntent(%q) = kind %d cats %v natural %v, want kind %d cats %v natural %v",
					tt.text, got.kind, keysOfCategories(got.categories), got.natural, tt.kind, tt.cats, tt.natural)
			}
		})
	}
}

func TestReservedWordsCoverEveryKeywordList(t *testing.T) {
	for _, w := range []string{"STOP", "STOPALL", "YES", "SI", "HELP", "INFO", "START", "JOIN", "ALL", "END", "CANCEL", "AYUDA", "OPTOUT", "NOMAS"} {
		if !isReserved(w) {
			t.Errorf("%s is not reserved", w)
		}
	}
	if isReserved("OFFERS") {
		t.Error("OFFERS is reserved")
	}
}
