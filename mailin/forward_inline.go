package mailin

import (
	"net/mail"
	"strings"
)

// inlineHit is the first forward-like block found in a text.
type inlineHit struct {
	found   bool
	style   string
	from    Person
	subject string
	date    string
	body    string // text after the quoted header block
	bodyAt  int    // index of the line where body starts, joined once at the end
}

func (h inlineHit) forward() Forward {
	fw := Forward{From: h.from, Subject: h.subject, Style: h.style, Text: h.body}
	if d, err := mail.ParseDate(h.date); err == nil {
		fw.Date = d
	}
	return fw
}

// textLines is a text split into lines without copying.
type textLines []string

func splitLines(s string) textLines {
	return strings.Split(s, "\n")
}

// cleanLine strips what surrounds a quoted header line: indentation, '>'
// quote markers, byte-order and direction marks, CR and markdown bold.
func cleanLine(l string) string {
	l = strings.TrimRight(l, "\r")
	for {
		n := len(l)
		l = strings.TrimLeft(l, " \t>\u00a0")
		l = strings.TrimPrefix(l, "\ufeff")
		l = strings.TrimPrefix(l, "\u200e")
		l = strings.TrimPrefix(l, "\u200f")
		if len(l) == n {
			break
		}
	}
	return l
}

// lowerHead returns the lower-cased start of l, enough for label and banner matching.
func lowerHead(l string) string {
	if len(l) > 160 {
		l = l[:160]
	}
	return strings.ToLower(l)
}

// scanInline finds the first inline forward-like block in text.
func scanInline(text string) inlineHit {
	if text == "" {
		return inlineHit{}
	}
	lines := splitLines(text)
	for i := 0; i < len(lines); i++ {
		l := cleanLine(lines[i])
		if l == "" {
			continue
		}
		low := lowerHead(l)
		trimmed := strings.TrimLeft(low, "-_=* ")
		if b := hasPrefixAny(trimmed, strongBanners); b != "" {
			rest := afterBanner(l, b)
			if h, ok := parseGlued(rest); ok {
				h.style = "banner"
				h.bodyAt = i + 1
				return withBody(h, lines)
			}
			h := parseBlock(lines, i+1, 12)
			h.found, h.style = true, "banner"
			return withBody(h.inlineHit, lines)
		}
		if b := hasPrefixAny(trimmed, weakBanners); b != "" && len(l) < 100 {
			h := parseBlock(lines, i+1, 6)
			if h.from != (Person{}) {
				h.found, h.style = true, "original-message"
				return withBody(h.inlineHit, lines)
			}
			continue
		}
		if isRule(l) {
			h := parseBlock(lines, i+1, 4)
			if h.from != (Person{}) && h.fields >= 2 {
				h.found, h.style = true, "separator"
				return withBody(h.inlineHit, lines)
			}
			continue
		}
		if k, _ := matchLabel(l); k == labelFrom {
			h := parseBlock(lines, i, 1)
			if h.from != (Person{}) && h.fields >= 2 {
				h.found, h.style = true, "header-block"
				return withBody(h.inlineHit, lines)
			}
			continue
		}
		if h, ok := attribution(lines, i); ok {
			return withBody(h, lines)
		}
	}
	return inlineHit{}
}

// withBody fills the forwarded text once a block has been chosen.
func withBody(h inlineHit, lines textLines) inlineHit {
	if h.bodyAt < len(lines) {
		h.body = strings.Join(lines[h.bodyAt:], "\n")
	}
	return h
}

func hasPrefixAny(s string, list []string) string {
	for _, p := range list {
		if strings.HasPrefix(s, p) {
			return p
		}
	}
	return ""
}

// afterBanner returns what follows the banner phrase on its line (Yahoo puts
// the whole header block there).
func afterBanner(l, banner string) string {
	low := strings.ToLower(l)
	i := strings.Index(low, banner)
	if i < 0 || i+len(banner) > len(l) {
		return ""
	}
	rest := l[i+len(banner):]
	return strings.TrimLeft(rest, "-_=*: \t")
}

// isRule reports a separator line: only '_' or '-' (at least 6), or '=' rules.
func isRule(l string) bool {
	t := strings.TrimSpace(l)
	if len(t) < 6 || len(t) > 120 {
		return false
	}
	c := t[0]
	if c != '_' && c != '-' && c != '=' {
		return false
	}
	return strings.Trim(t, string(c)) == ""
}

// matchLabel reads "Label: value" (also "Label :", "*Label:*", "Label:\tvalue").
func matchLabel(l string) (labelKind, string) {
	l = strings.TrimLeft(l, "*_ ")
	colon := strings.IndexByte(l, ':')
	if colon <= 0 || colon > 40 {
		return labelNone, ""
	}
	key := strings.ToLower(strings.TrimRight(l[:colon], " \t*_\u00a0"))
	k, ok := headerLabels[key]
	if !ok {
		return labelNone, ""
	}
	v := strings.TrimLeft(l[colon+1:], "*_ \t\u00a0")
	return k, strings.TrimSpace(v)
}

// maxBlockLines bounds a quoted header block (wrapped To/Cc lines included).
const maxBlockLines = 40

// parseBlock reads a quoted header block starting at lines[start], after up
// to maxSkip blank or non-label lines. Fields may wrap onto lines that are
// not labels when a label line follows.
func parseBlock(lines textLines, start, maxSkip int) blockResult {
	var r blockResult
	i := start
	skipped := 0
	// Bounded look-ahead keeps the whole scan linear on hostile input.
	for i < len(lines) && skipped <= maxSkip && i-start < maxSkip+20 {
		l := cleanLine(lines[i])
		if k, _ := matchLabel(l); k != labelNone {
			break
		}
		if l != "" {
			skipped++
		}
		i++
	}
	last := labelNone
	blockStart := i
	for ; i < len(lines) && i-blockStart < maxBlockLines; i++ {
		l := cleanLine(lines[i])
		if l == "" {
			break
		}
		k, v := matchLabel(l)
		if k == labelNone {
			// A wrapped field value when the next line is a label again.
			if last != labelNone && i+1 < len(lines) {
				if nk, _ := matchLabel(cleanLine(lines[i+1])); nk != labelNone {
					r.add(last, l, true)
					continue
				}
			}
			break
		}
		if k == labelFrom && r.seenFrom {
			break // the next block starts
		}
		r.add(k, v, false)
		last = k
	}
	r.bodyAt = i
	return r
}

// blockResult accumulates the fields of a quoted header block.
type blockResult struct {
	inlineHit
	fields   int
	fromRaw  string
	seenFrom bool
}

func (r *blockResult) add(k labelKind, v string, continuation bool) {
	if !continuation {
		r.fields++
	}
	switch k {
	case labelFrom:
		r.seenFrom = true
		if continuation {
			r.fromRaw += " " + v
		} else {
			r.fromRaw = v
		}
		r.from = looseAddress(r.fromRaw)
	case labelSubject:
		if continuation {
			r.subject = strings.TrimSpace(r.subject + " " + v)
		} else {
			r.subject = v
		}
	case labelDate:
		if !continuation {
			r.date = v
		}
	}
}

// parseGlued reads a header block written on one line, as Yahoo does:
// "From: John Doe <j@x.it>To: ...Sent: ...Subject: ...".
func parseGlued(rest string) (inlineHit, bool) {
	k, v := matchLabel(rest)
	if k != labelFrom {
		return inlineHit{}, false
	}
	fromVal := v
	if i := strings.IndexByte(fromVal, '>'); i >= 0 {
		fromVal = fromVal[:i+1]
	}
	h := inlineHit{found: true, from: looseAddress(fromVal)}
	for _, label := range []string{"Subject:", "Oggetto:", "Objet:", "Asunto:", "Betreff:", "Sujet:"} {
		if i := strings.LastIndex(rest, label); i >= 0 {
			h.subject = strings.TrimSpace(rest[i+len(label):])
			break
		}
	}
	return h, h.from != (Person{})
}

// attribution recognises "On <date>, "John Doe" <j@x.it> wrote:" (in the
// supported languages), possibly wrapped over two lines.
func attribution(lines textLines, i int) (inlineHit, bool) {
	l := cleanLine(lines[i])
	if len(l) > 300 {
		return inlineHit{}, false
	}
	joined := l
	end := i
	if !hasAttributionEnd(l) {
		if i+1 >= len(lines) || !strings.Contains(l, "@") {
			return inlineHit{}, false
		}
		next := cleanLine(lines[i+1])
		if !hasAttributionEnd(next) || len(next) > 80 {
			return inlineHit{}, false
		}
		joined = l + " " + next
		end = i + 1
	}
	addr := firstAddress(joined)
	if addr == "" {
		return inlineHit{}, false
	}
	return inlineHit{
		found: true, style: "attribution",
		from:   Person{Name: attributionName(joined), Address: addr},
		bodyAt: end + 1,
	}, true
}

func hasAttributionEnd(l string) bool {
	low := strings.ToLower(strings.TrimSpace(l))
	for _, e := range attributionEnds {
		if strings.HasSuffix(low, e) {
			return true
		}
	}
	return false
}

// attributionName picks the display name out of an attribution line: a
// quoted name before the address, else the trailing words before it that are
// not part of the date.
func attributionName(s string) string {
	cut := strings.IndexAny(s, "<[(")
	if cut < 0 {
		cut = strings.Index(s, firstAddress(s))
	}
	if cut < 0 {
		return ""
	}
	seg := strings.TrimSpace(s[:cut])
	if strings.HasSuffix(seg, `"`) {
		if j := strings.LastIndexByte(seg[:len(seg)-1], '"'); j >= 0 {
			return cleanName(seg[j+1 : len(seg)-1])
		}
	}
	if j := strings.LastIndexByte(seg, ','); j >= 0 {
		seg = seg[j+1:]
	}
	words := strings.Fields(seg)
	k := len(words)
	for k > 0 && isNameWord(words[k-1]) {
		k--
	}
	return cleanName(strings.Join(words[k:], " "))
}

func isNameWord(w string) bool {
	if strings.ContainsAny(w, "0123456789:/") {
		return false
	}
	switch strings.ToLower(w) {
	case "am", "pm", "at", "alle", "um", "à", "a", "las", "ore", "h", "on", "il", "am,", "le", "el", "giorno":
		return false
	}
	return true
}
