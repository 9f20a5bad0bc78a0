package mailin

import (
	"strings"
	"unicode"
)

// Basis writes its mail (the privacy notice, consent requests) in Italian
// and English. An inquiry's language picks which one a new contact gets;
// without it everyone got the organization's default, an English writer an
// Italian notice.

// languageWords are common words of each language Basis writes in, that the
// other does not use.
var languageWords = map[string]map[string]bool{
	"it": setOf("il", "lo", "gli", "di", "che", "per", "non", "una", "sono", "del", "della", "delle", "alla", "buongiorno",
		"gentile", "gentili", "grazie", "saluti", "cordiali", "vorrei", "richiesta", "preventivo", "vostro", "vostra",
		"nostro", "nostra", "questo", "questa", "anche", "come", "quando", "salve", "distinti", "ringrazio", "vostri"),
	"en": setOf("the", "and", "to", "of", "for", "is", "are", "we", "you", "your", "our", "would", "please", "thanks",
		"thank", "dear", "hello", "regards", "best", "could", "with", "this", "that", "have", "about", "quote",
		"interested", "kind", "looking", "forward"),
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// GuessLanguage is "it" or "en" for a message in that language, "" when it
// cannot tell (another language, too little text): the organization's
// default then applies. A Content-Language header naming one of them
// decides; otherwise the common words of the first 4 KB of text are
// counted, and one language must have at least three and twice the other's.
func GuessLanguage(contentLanguage, text string) string {
	for _, tag := range strings.Split(contentLanguage, ",") {
		lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if _, ok := languageWords[lang]; ok {
			return lang
		}
	}
	if len(text) > 4096 {
		text = text[:4096]
	}
	counts := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		for lang, words := range languageWords {
			if words[w] {
				counts[lang]++
			}
		}
	}
	it, en := counts["it"], counts["en"]
	switch {
	case it >= 3 && it >= 2*en:
		return "it"
	case en >= 3 && en >= 2*it:
		return "en"
	}
	return ""
}
