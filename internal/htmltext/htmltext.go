// Package htmltext renders HTML mail bodies as plain text: mailin for
// previews and forward detection, the dossier for the readable copy of a
// message.
package htmltext

import (
	"strings"

	"golang.org/x/net/html"
)

// blockTags end a line in the plain-text rendering of HTML.
var blockTags = map[string]bool{
	"br": true, "p": true, "div": true, "tr": true, "li": true, "ul": true, "ol": true,
	"table": true, "blockquote": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "hr": true, "pre": true, "dd": true, "dt": true, "dl": true,
	"section": true, "article": true, "header": true, "footer": true, "center": true,
	"address": true, "form": true,
}

// skipTags hide their content from the plain-text rendering.
var skipTags = map[string]bool{"style": true, "script": true, "head": true, "title": true, "xml": true}

// Text renders HTML as plain text: block elements end lines, table cells
// are separated by a space, and style, script and head content is dropped.
// It streams tokens, so deep nesting costs no stack and the work is linear
// in the input.
func Text(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	b.Grow(len(src) / 2)
	skip := 0
	newlines := 2 // no leading empty lines
	pendingSpace := false
	newline := func(limit int) {
		if newlines < limit {
			b.WriteByte('\n')
			newlines++
		}
		pendingSpace = false
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if skipTags[tag] {
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			if tag == "br" {
				newline(2) // <br><br> makes an empty line
			} else if blockTags[tag] {
				newline(1) // nested blocks end one line, not several
			} else if tag == "td" || tag == "th" {
				pendingSpace = true
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := strings.ReplaceAll(string(z.Text()), "\u00a0", " ")
			if t == "" {
				continue
			}
			if isHTMLSpace(rune(t[0])) {
				pendingSpace = true
			}
			words := strings.FieldsFunc(t, isHTMLSpace)
			for i, w := range words {
				if (i > 0 || pendingSpace) && newlines == 0 {
					b.WriteByte(' ')
				}
				b.WriteString(w)
				newlines = 0
			}
			pendingSpace = len(words) == 0 || isHTMLSpace(rune(t[len(t)-1]))
		}
	}
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
}
