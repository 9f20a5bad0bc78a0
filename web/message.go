package web

import (
	netmail "net/mail"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/basis-crm/basis/mailin"
)

// message is an inbound email reduced to what staff read: a few headers,
// the text part, and (sanitized only when shown) the HTML part. Every field
// is hostile input and is only ever shown escaped.
type message struct {
	From, To, Subject, Date string
	Text                    string
	HTML                    string
	Attachments             []string
}

// parseMessage reads an inbound message with mailin's parser (the one that
// classified it: broken MIME keeps its content, every charset go-message
// knows is decoded).
func parseMessage(raw []byte) message {
	in := mailin.Parse(raw)
	m := message{Subject: in.Subject, Date: in.Header.Get("Date"), Text: in.Text, HTML: in.HTML,
		From: addresses(in.From), To: addresses(in.To...)}
	for _, a := range in.Attachments {
		m.Attachments = append(m.Attachments, a.Filename)
	}
	if m.From == "" {
		m.From = in.Header.Get("From")
	}
	return m
}

func addresses(list ...*netmail.Address) string {
	out := make([]string, 0, len(list))
	for _, a := range list {
		if a != nil {
			out = append(out, a.String())
		}
	}
	return strings.Join(out, ", ")
}

// snippet shortens text to about n characters on one line.
func snippet(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return string(r[:n]) + "…"
}

// mailPolicy sanitizes inbound HTML for the sandboxed frame: user-content
// elements only, links made inert for the referrer and opened outside.
var mailPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoReferrerOnLinks(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()
