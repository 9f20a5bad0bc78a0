package mailout

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Draft is a message to compose. From and To are required, and at least one
// of Text and HTML.
type Draft struct {
	From    string // "Acme S.r.l. <info@acme-srl.it>" or a bare address
	ToName  string // display name of the recipient; may be empty
	To      string // recipient address
	ReplyTo string // optional, same forms as From
	Subject string // UTF-8; encoded as RFC 2047 words when needed
	Text    string // text/plain body
	HTML    string // optional text/html alternative

	// UnsubscribeURL (https) and UnsubscribeMailto (an address) fill
	// List-Unsubscribe; with UnsubscribeURL set, List-Unsubscribe-Post
	// announces RFC 8058 one-click unsubscribe.
	UnsubscribeURL    string
	UnsubscribeMailto string

	// AutoSubmitted adds "Auto-Submitted: auto-generated" (RFC 3834), for
	// privacy notices and consent requests, so auto-responders stay quiet.
	AutoSubmitted bool

	// Headers are added as they are, e.g. X-Basis-Outbox-ID. Names must be
	// plain header names and values a single line.
	Headers []Header

	// Date of the message; the current time if zero.
	Date time.Time
}

// Header is one extra header field.
type Header struct {
	Name  string
	Value string
}

// Composed is a rendered message.
type Composed struct {
	// MessageID is the Message-ID header value, angle brackets included.
	MessageID string
	// EnvelopeFrom is the bare sender address, for MAIL FROM.
	EnvelopeFrom string
	// Raw is the exact message, CRLF line endings, as it must be sent and
	// kept.
	Raw []byte
}

// Compose renders in into RFC 5322 bytes with go-mail.
func Compose(in Draft) (*Composed, error) {
	from, err := mail.ParseAddress(in.From)
	if err != nil {
		return nil, fmt.Errorf("mailout: compose: from %q: %w (check mailout.from)", in.From, err)
	}
	if in.Text == "" && in.HTML == "" {
		return nil, errors.New("mailout: compose: message has neither text nor HTML body")
	}
	id, err := newMessageID(from.Address)
	if err != nil {
		return nil, err
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := setAddresses(m, from, in); err != nil {
		return nil, err
	}
	if err := setHeaders(m, in); err != nil {
		return nil, err
	}
	m.Subject(in.Subject)
	date := in.Date
	if date.IsZero() {
		date = time.Now()
	}
	m.SetDateWithValue(date)
	m.SetMessageIDWithValue(id)
	setBody(m, in)
	var buf bytes.Buffer
	buf.Grow(len(in.Text) + 2*len(in.HTML) + 1024)
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("mailout: compose to %s: %w", in.To, err)
	}
	return &Composed{MessageID: "<" + id + ">", EnvelopeFrom: from.Address, Raw: buf.Bytes()}, nil
}

func setAddresses(m *gomail.Msg, from *mail.Address, in Draft) error {
	m.FromMailAddress(from)
	if err := m.AddToFormat(in.ToName, in.To); err != nil {
		return fmt.Errorf("mailout: compose: recipient %q: %w", in.To, err)
	}
	if in.ReplyTo != "" {
		rt, err := mail.ParseAddress(in.ReplyTo)
		if err != nil {
			return fmt.Errorf("mailout: compose: reply-to %q: %w (check mailout.reply_to)", in.ReplyTo, err)
		}
		m.ReplyToMailAddress(rt)
	}
	return nil
}

func setHeaders(m *gomail.Msg, in Draft) error {
	if in.UnsubscribeURL != "" {
		var extra []string
		if in.UnsubscribeMailto != "" {
			extra = append(extra, "mailto:"+in.UnsubscribeMailto)
		}
		if loopbackHTTP(in.UnsubscribeURL) {
			// Demo mode and local trials serve plain http on loopback: same
			// headers, though mail clients only offer one-click over https.
			m.SetListUnsubscribe(append([]string{in.UnsubscribeURL}, extra...)...)
			m.SetListUnsubscribePost()
		} else if err := m.SetListUnsubscribeOneClick(in.UnsubscribeURL, extra...); err != nil {
			return fmt.Errorf("mailout: compose: unsubscribe URL %q must be https (check web.base_url): %w", in.UnsubscribeURL, err)
		}
	} else if in.UnsubscribeMailto != "" {
		m.SetListUnsubscribe("mailto:" + in.UnsubscribeMailto)
	}
	if in.AutoSubmitted {
		m.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	for _, h := range in.Headers {
		if err := checkHeader(h); err != nil {
			return err
		}
		m.SetGenHeader(gomail.Header(h.Name), h.Value)
	}
	return nil
}

func setBody(m *gomail.Msg, in Draft) {
	switch {
	case in.Text != "" && in.HTML != "":
		m.SetBodyString(gomail.TypeTextPlain, in.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, in.HTML)
	case in.HTML != "":
		m.SetBodyString(gomail.TypeTextHTML, in.HTML)
	default:
		m.SetBodyString(gomail.TypeTextPlain, in.Text)
	}
}

// checkHeader refuses names and values that would break the header block.
func checkHeader(h Header) error {
	if h.Name == "" {
		return errors.New("mailout: compose: empty header name")
	}
	for _, c := range h.Name {
		if c <= ' ' || c > '~' || c == ':' {
			return fmt.Errorf("mailout: compose: header name %q: not a valid field name", h.Name)
		}
	}
	if strings.ContainsAny(h.Value, "\r\n") {
		return fmt.Errorf("mailout: compose: header %s: value contains a line break", h.Name)
	}
	return nil
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newMessageID returns "random@domain-of-addr", without angle brackets.
func newMessageID(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || at == len(addr)-1 {
		return "", fmt.Errorf("mailout: compose: from address %q has no domain (check mailout.from)", addr)
	}
	var b [16]byte
	rand.Read(b[:])
	return strings.ToLower(idEncoding.EncodeToString(b[:])) + "@" + addr[at+1:], nil
}

// loopbackHTTP reports a plain-http URL on a loopback host.
func loopbackHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "http" && isLoopback(u.Hostname())
}
