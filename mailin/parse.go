package mailin

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/basis-crm/basis/internal/htmltext"
)

// Message is an inbound message as Basis understands it. Parse never fails: a
// message that cannot be parsed keeps its Raw bytes and SHA256 and carries
// ParseError, so it is stored and flagged for review.
type Message struct {
	Raw    []byte   // the bytes as received, never modified
	SHA256 [32]byte // of Raw

	// Header gives access to every field (Get, Values, Text, AddressList...).
	Header gomail.Header

	MessageID  string // without angle brackets
	InReplyTo  string // the first identifier, without angle brackets
	References []string
	Subject    string // RFC 2047 decoded; invalid bytes replaced, never dropped
	From       *mail.Address
	To, Cc     []*mail.Address
	Date       time.Time

	Text string // plain-text body for previews (HTML-only mail gets a rendering)
	HTML string // the raw HTML part if any; sanitizing is the web package's job

	AuthenticationResults []string // the receiving servers' verdicts, as written

	Attachments []AttachmentInfo
	Forwarded   []*Message // message/rfc822 parts, in document order, each parsed in turn

	// ParseError is nil when the message was read cleanly; otherwise it names
	// what is wrong (use errors.Is with the Err* values of this package).
	ParseError error

	mediaType  string       // top-level media type, lower case
	reportType string       // report-type parameter of a multipart/report
	reports    []reportPart // message/delivery-status and similar parts
	problems   []error
}

// AttachmentInfo describes one non-text part.
type AttachmentInfo struct {
	Filename    string
	ContentType string
	Size        int // decoded bytes
}

// reportPart is a machine-readable report part kept for the bounce and
// auto-reply classifiers.
type reportPart struct {
	mediaType string // message/delivery-status, message/disposition-notification, ...
	text      string
}

const (
	maxDepth = 16   // MIME nesting, forwarded messages included
	maxParts = 1000 // parts in one multipart
)

// Parse reads a raw RFC 5322 message. It never fails and never panics on
// malformed input; see Message.ParseError.
func Parse(raw []byte) *Message {
	return parseDepth(raw, 0)
}

func parseDepth(raw []byte, depth int) *Message {
	m := &Message{Raw: raw, SHA256: sha256.Sum256(raw)}
	if len(raw) == 0 {
		m.addProblem(ErrEmpty)
		m.finish()
		return m
	}
	norm := normalizeNewlines(raw)
	h, body, err := readHeader(norm)
	if err != nil {
		m.addProblem(err)
	}
	m.Header = gomail.Header{Header: messageHeader(h)}
	dec := newHeaderDecoder()
	m.readEnvelope(dec)
	w := walker{m: m, dec: dec}
	w.entity(m.Header.Header, body, depth, "")
	if m.Text == "" && m.HTML != "" {
		m.Text = htmltext.Text(m.HTML)
	}
	if dec.unknown != "" {
		m.addProblem(fmt.Errorf("header: %w %q", ErrUnknownCharset, dec.unknown))
	}
	m.finish()
	return m
}

// readEnvelope fills the envelope fields from the header.
func (m *Message) readEnvelope(dec *headerDecoder) {
	h := &m.Header
	m.Subject = strings.TrimSpace(dec.text(h.Get("Subject")))
	if id, err := h.MessageID(); err == nil {
		m.MessageID = id
	} else {
		m.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	if ids, _ := h.MsgIDList("In-Reply-To"); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References, _ = h.MsgIDList("References")
	m.Date = parseDate(h.Get("Date"))
	m.AuthenticationResults = h.Values("Authentication-Results")
	m.To = dec.parseAddressList(h.Get("To"))
	m.Cc = dec.parseAddressList(h.Get("Cc"))
	fromValue := h.Get("From")
	switch {
	case !h.Has("From"):
		m.addProblem(ErrNoFrom)
	default:
		if list := dec.parseAddressList(fromValue); len(list) > 0 {
			m.From = list[0]
		} else {
			m.addProblem(fmt.Errorf("%w: %q", ErrBadFrom, clip(fromValue, 60)))
		}
	}
}

func (m *Message) addProblem(err error) {
	if len(m.problems) < maxParseErrors {
		m.problems = append(m.problems, err)
	}
}

// finish turns the collected problems into ParseError.
func (m *Message) finish() {
	switch len(m.problems) {
	case 0:
	case 1:
		m.ParseError = fmt.Errorf("mailin: parse: %w", m.problems[0])
	default:
		m.ParseError = fmt.Errorf("mailin: parse: %w", errors.Join(m.problems...))
	}
	m.problems = nil
}

// parseDate reads an RFC 5322 date, trying the common layout before
// net/mail's full list; it returns the zero time when nothing fits.
func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if i := strings.IndexByte(v, '('); i > 0 { // "... +0100 (CET)"
		v = strings.TrimSpace(v[:i])
	}
	if d, err := time.Parse(time.RFC1123Z, v); err == nil {
		return d
	}
	if d, err := mail.ParseDate(v); err == nil {
		return d
	}
	return time.Time{}
}
