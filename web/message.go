package web

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	_ "github.com/emersion/go-message/charset" // decode legacy charsets of inbound mail
	"github.com/emersion/go-message/mail"
	"github.com/microcosm-cc/bluemonday"
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

const maxPartBytes = 2 << 20

// parseMessage extracts what it can; a message go-message cannot read is
// shown as its raw text.
func parseMessage(raw []byte) message {
	var m message
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if mr == nil {
		m.Text = rawBody(raw)
		return m
	}
	defer mr.Close()
	h := mr.Header
	m.Subject, _ = h.Subject()
	if m.Subject == "" {
		m.Subject = h.Get("Subject")
	}
	m.From, m.To, m.Date = addressList(h, "From"), addressList(h, "To"), h.Get("Date")
	for err == nil {
		var p *mail.Part
		p, err = mr.NextPart()
		if err != nil {
			break
		}
		switch ph := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := ph.ContentType()
			body, _ := io.ReadAll(io.LimitReader(p.Body, maxPartBytes))
			switch {
			case ct == "text/plain" && m.Text == "":
				m.Text = validUTF8(body)
			case ct == "text/html" && m.HTML == "":
				m.HTML = validUTF8(body)
			}
		case *mail.AttachmentHeader:
			name, _ := ph.Filename()
			m.Attachments = append(m.Attachments, name)
		}
	}
	if m.Text == "" && m.HTML != "" {
		m.Text = htmlToText(m.HTML)
	}
	if m.Text == "" && m.HTML == "" {
		m.Text = rawBody(raw)
	}
	return m
}

func addressList(h mail.Header, key string) string {
	if list, err := h.AddressList(key); err == nil && len(list) > 0 {
		out := make([]string, len(list))
		for i, a := range list {
			out[i] = a.String()
		}
		return strings.Join(out, ", ")
	}
	v := h.Get(key)
	if dec, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return dec
	}
	return v
}

// rawBody is whatever follows the header of a message that did not parse.
func rawBody(raw []byte) string {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		raw = raw[i+4:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		raw = raw[i+2:]
	}
	if len(raw) > maxPartBytes {
		raw = raw[:maxPartBytes]
	}
	return validUTF8(raw)
}

func validUTF8(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

var stripAll = bluemonday.StrictPolicy()

func htmlToText(h string) string {
	return strings.TrimSpace(stripAll.Sanitize(strings.NewReplacer("<br>", "\n", "</p>", "\n", "</div>", "\n").Replace(h)))
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
