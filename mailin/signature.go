package mailin

import (
	"strings"
	"unicode/utf8"
)

// phoneLabels start a signature line that carries a phone number.
var phoneLabels = []string{
	"telefono", "telephone", "téléphone", "telefon", "teléfono", "tel.", "tel", "tél",
	"phone", "ph.", "cellulare", "cell.", "cell", "mobile", "mobil", "mob.", "mob", "móvil",
	"movil", "portable", "handy", "cel.", "cel", "t:", "m:", "t.", "m.",
}

// SignaturePhone returns the first phone number found on a labelled line
// ("Tel. +39 02 1234 5678", "Cellulare: 333 1234567", "Mobile: ...") in the
// first 400 lines of text, normalised to digits, spaces and a leading '+'.
// It returns "" when there is none.
func SignaturePhone(text string) string {
	for n := 0; n < 400 && text != ""; n++ {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimLeft(line, " \t>*|-")
		if len(line) < 6 || len(line) > 200 {
			continue
		}
		lower := strings.ToLower(line[:min(len(line), labelPrefix)]) // a label is at the start: lower only that
		for _, l := range phoneLabels {
			if !strings.HasPrefix(lower, l) {
				continue
			}
			if p := phoneAfter(line[len(l):]); p != "" {
				return p
			}
			break
		}
	}
	return ""
}

// labelPrefix is how much of a line can hold a phone label (the longest
// label, with room for a rune cut in half).
var labelPrefix = func() int {
	n := 0
	for _, l := range phoneLabels {
		n = max(n, len(l))
	}
	return n + utf8.UTFMax
}()

// phoneAfter reads a phone number after a label: optional letters/punctuation
// (": ", "ufficio:"), then digits, spaces and + ( ) . / - with 6 to 15 digits.
func phoneAfter(s string) string {
	i := 0
	for i < len(s) && i < 20 && !isDigit(s[i]) && s[i] != '+' && s[i] != '(' {
		i++
	}
	s = s[i:]
	var b strings.Builder
	digits := 0
	space := false
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case isDigit(c):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
			digits++
		case c == '+' && b.Len() == 0:
			b.WriteByte('+')
		case c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')':
			space = true
		default:
			j = len(s)
		}
	}
	if digits < 6 || digits > 15 {
		return ""
	}
	return b.String()
}
