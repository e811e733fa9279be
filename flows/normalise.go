package flows

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Normalise reduces a message to the words a keyword match compares: Unicode NFKC, case folded
// and returned in upper case, accents and invisible format characters removed, confusable Cyrillic and Greek letters mapped to
// the Latin letters they imitate, punctuation, symbols and emoji turned into spaces (apostrophes
// dropped, so "don't" reads DONT), whitespace collapsed and trimmed. Two phrases become one word:
// "opt out" and "opt-out" read OPTOUT, "stop all" reads STOPALL. Normalise(Normalise(s)) equals
// Normalise(s). The raw text, not this, is what the ledger keeps as evidence.
func Normalise(text string) string {
	folded := cases.Fold().String(norm.NFKC.String(mapConfusables(norm.NFKC.String(text))))
	var b strings.Builder
	b.Grow(len(folded))
	pendingSpace := false
	for _, r := range norm.NFD.String(folded) {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r) || isApostrophe(r):
			// Accents, invisible format characters and apostrophes vanish without splitting
			// the word they sit in.
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mc, r):
			if pendingSpace && b.Len() > 0 {
				b.WriteByte(' ')
			}
			pendingSpace = false
			for _, u := range strings.ToUpper(string(mapConfusable(r))) {
				b.WriteRune(mapConfusable(u))
			}
		default:
			pendingSpace = true
		}
	}
	return joinPhrases(norm.NFC.String(b.String()))
}

// joinPhrases turns the two-word opt-out phrases into the single keywords carriers use.
func joinPhrases(s string) string {
	if !strings.Contains(s, "OPT OUT") && !strings.Contains(s, "STOP ALL") {
		return s
	}
	words := strings.Fields(s)
	out := words[:0]
	for i := 0; i < len(words); i++ {
		if i+1 < len(words) {
			switch words[i] + " " + words[i+1] {
			case "OPT OUT":
				out = append(out, "OPTOUT")
				i++
				continue
			case "STOP ALL":
				out = append(out, "STOPALL")
				i++
				continue
			}
		}
		out = append(out, words[i])
	}
	return strings.Join(out, " ")
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u2018' || r == '\u02bc' || r == '`' || r == '\u00b4'
}

func mapConfusables(s string) string {
	return strings.Map(mapConfusable, s)
}

func mapConfusable(r rune) rune {
	if l, ok := confusables[r]; ok {
		return l
	}
	return r
}

// confusables maps Cyrillic and Greek letters that look like Latin ones, so "ЅТОР" written with
// Cyrillic letters still reads STOP. It is a read-only table.
var confusables = map[rune]rune{
	// Cyrillic capitals
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C',
	'Т': 'T', 'У': 'Y', 'Х': 'X', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'Ү': 'Y', 'Ԛ': 'Q', 'Ԝ': 'W',
	'Һ': 'H',
	// Cyrillic small letters
	'а': 'a', 'в': 'b', 'е': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c',
	'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ј': 'j', 'ү': 'y', 'ԛ': 'q', 'ԝ': 'w',
	'һ': 'h',
	// Greek capitals
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N',
	'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	// Greek small letters
	'α': 'a', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u',
}
