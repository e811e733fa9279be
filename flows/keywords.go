package flows

import (
	"strings"

	"github.com/optin/optin/consent"
)

// Word lists, all in normalised form (see Normalise). They are read-only.
var (
	// stopKeywords revoke every category when they are the whole message: the carrier list
	// (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT) and the French and
	// Spanish words seen in the field.
	stopKeywords = wordSet("STOP STOPALL UNSUBSCRIBE CANCEL END QUIT REVOKE OPTOUT " +
		"ARRET ARRETE ARRETER ARRETEZ DESABONNER DESINSCRIRE " +
		"PARAR PARA ALTO BAJA CANCELAR DETENER DESUSCRIBIR NOMAS")
	// stopPhrases are whole messages of more than one word that revoke every category.
	stopPhrases = phraseSet("NO MAS|DAR DE BAJA|DARME DE BAJA|NE PLUS")
	// revocationWords revoke every category wherever they stand in a message of any length.
	revocationWords = wordSet("STOP STOPALL UNSUBSCRIBE OPTOUT REVOKE ARRET ARRETEZ ARRETER " +
		"DESABONNER DESINSCRIRE DESUSCRIBIR DESUSCRIBIRME PARAR NOMAS")
	// shortRevocationWords revoke every category in a message of at most shortMessageWords words.
	shortRevocationWords = wordSet("QUIT END CANCEL ARRETE CANCELAR BAJA DETENER")
	// revocationPhrases revoke every category wherever they stand.
	revocationPhrases = strings.Split("REMOVE ME|TAKE ME OFF|DONT TEXT|DO NOT TEXT|DONT MESSAGE|"+
		"DO NOT MESSAGE|DONT CONTACT|DO NOT CONTACT|DONT SEND|DO NOT SEND|DONT WANT|DO NOT WANT|"+
		"NO MORE|LEAVE ME ALONE|NOT INTERESTED|WRONG NUMBER|UNSUBSCRIBE ME|"+
		"NO MAS|DE BAJA|DEJEN DE|DEJA DE|NO ME ENVIEN|NO ME MANDEN|NO QUIERO|"+
		"NE PLUS|NE M ENVOYEZ|ME DESINSCRIRE|NE VEUX PLUS", "|")
	helpKeywords  = wordSet("HELP INFO AYUDA AIDE")
	yesKeywords   = wordSet("YES Y SI OUI")
	startKeywords = wordSet("START JOIN UNSTOP SUBSCRIBE")
	allWords      = wordSet("ALL TODO TODOS TODAS TOUT TOUS")
	// fillerWords may follow an answer without changing it: "YES please", "STOP OFFERS thanks".
	fillerWords = wordSet("PLEASE PLS PLZ THANKS THANK YOU THX OK OKAY POR FAVOR GRACIAS MERCI")
)

// maxHelpWords is the longest message that starts with a help word and still asks for help,
// as in "help me please".
const maxHelpWords = 3

// shortMessageWords is the longest message in which an ambiguous word such as END or CANCEL
// is read as revocation.
const shortMessageWords = 6

// isReserved reports whether word means the same for every business (an opt-out, help, yes,
// start, "all" or filler word), so it cannot be a category keyword.
func isReserved(word string) bool {
	return stopKeywords[word] || revocationWords[word] || shortRevocationWords[word] || helpKeywords[word] ||
		yesKeywords[word] || startKeywords[word] || allWords[word] || fillerWords[word]
}

// intentKind is what a message asks for.
type intentKind int

const (
	intentOther   intentKind = iota // nothing we recognise: answered with the short menu
	intentHelp                      // HELP and its translations
	intentStop                      // an opt-out, exact or read from wording
	intentYes                       // an answer to a pending disclosure
	intentRequest                   // a keyword, START or JOIN: asks for a disclosure
)

// intent is a message read against one business's keywords.
type intent struct {
	kind       intentKind
	categories []consent.Category // named categories in menu order; empty means all (or all pending)
	natural    bool               // a revocation read from wording rather than an exact keyword
}

// readIntent reads a normalised message.
//
// Revocation rule: a message revokes consent when, after normalisation, (1) it is exactly an
// opt-out keyword (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT, or a French or
// Spanish one such as ARRET, PARAR, BAJA, NO MAS), or such a keyword followed only by category
// keywords (STOP OFFERS), which revokes those categories; or (2) any word of it is STOP, UNSUBSCRIBE, OPTOUT, REVOKE or
// a French or Spanish equivalent, whatever else it says; or (3) it has at most six words and one
// is QUIT, END, CANCEL or a French or Spanish equivalent; or (4) it contains a phrase such as
// "remove me", "take me off", "do not text", "no more", "leave me alone", "not interested",
// "dejen de" or "ne plus". Case (1) carries reason keyword; (2) to (4) carry reason
// natural_language and, as the FCC asks until the person says otherwise, cover every category.
// Where a message could be read either way it is read as revocation.
func readIntent(normalised string, b consent.Business) intent {
	words := strings.Fields(normalised)
	if len(words) == 0 {
		return intent{kind: intentOther}
	}
	if helpKeywords[normalised] {
		return intent{kind: intentHelp}
	}
	if stopKeywords[normalised] || stopPhrases[normalised] {
		return intent{kind: intentStop}
	}
	if stopKeywords[words[0]] && len(words) > 1 {
		if cats, all, ok := namedCategories(words[1:], b); ok && (len(cats) > 0 || all) {
			if all || words[0] == "STOPALL" {
				cats = nil
			}
			return intent{kind: intentStop, categories: cats}
		}
	}
	if readsAsRevocation(words, normalised) {
		return intent{kind: intentStop, natural: true}
	}
	if helpKeywords[words[0]] && len(words) <= maxHelpWords {
		return intent{kind: intentHelp}
	}
	if yesKeywords[words[0]] {
		if cats, _, ok := namedCategories(words[1:], b); ok {
			return intent{kind: intentYes, categories: cats}
		}
		return intent{kind: intentOther}
	}
	rest := words
	if startKeywords[words[0]] {
		rest = words[1:]
	}
	if cats, all, ok := namedCategories(rest, b); ok && (len(cats) > 0 || all || len(rest) < len(words)) {
		return intent{kind: intentRequest, categories: cats}
	}
	return intent{kind: intentOther}
}

// readsAsRevocation applies cases (2) to (4) of the revocation rule of readIntent.
func readsAsRevocation(words []string, normalised string) bool {
	for _, w := range words {
		if revocationWords[w] || (len(words) <= shortMessageWords && shortRevocationWords[w]) {
			return true
		}
	}
	padded := " " + normalised + " "
	for _, p := range revocationPhrases {
		if strings.Contains(padded, " "+p+" ") {
			return true
		}
	}
	return false
}

// namedCategories reads words that may only be category keywords, "all" words and filler.
// It returns the named categories in menu order, whether "all" was said, and false when any
// other word is present.
func namedCategories(words []string, b consent.Business) (cats []consent.Category, all bool, ok bool) {
	named := map[string]bool{}
	for _, w := range words {
		switch {
		case allWords[w]:
			all = true
		case fillerWords[w]:
		default:
			c, found := b.CategoryByKeyword(w)
			if !found {
				return nil, false, false
			}
			named[c.Key] = true
		}
	}
	for _, c := range b.Categories {
		if named[c.Key] && !all {
			cats = append(cats, c)
		}
	}
	return cats, all, true
}

func wordSet(words string) map[string]bool { return setOf(strings.Fields(words)) }

func phraseSet(phrases string) map[string]bool { return setOf(strings.Split(phrases, "|")) }

func setOf(list []string) map[string]bool {
	set := make(map[string]bool, len(list))
	for _, w := range list {
		set[w] = true
	}
	return set
}
