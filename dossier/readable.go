package dossier

import (
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode the charsets go-message knows
	"github.com/emersion/go-message/mail"

	"github.com/basis-crm/basis/internal/htmltext"
)

// readableMessage renders a raw message the way its reader saw it: the
// Date, From, To, Cc and Subject headers with encoded words decoded, then
// the text of its first text/plain part (or its first HTML part as plain
// text), decoded from its transfer encoding and charset, and a line per
// attachment. The exact bytes stay in the ZIP and are shown beside it:
// quoted-printable or base64 is evidence, but nobody can read it. It
// returns "" when the message has no text to show.
func readableMessage(raw []byte) string {
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		return ""
	}
	if message.IsUnknownCharset(err) || message.IsUnknownEncoding(err) {
		// The body is shown as it is, as NextPart does for such a part
		// of a multipart message (mail.CreateReader gives up on it).
		err = nil
	}
	mr := mail.NewReader(e)
	defer mr.Close()
	var b strings.Builder
	for _, key := range []string{"Date", "From", "To", "Cc", "Subject"} {
		if v := decodedHeader(mr.Header, key); v != "" {
			b.WriteString(key + ": " + v + "\n")
		}
	}
	b.WriteString("\n")
	var plain, htmlText string
	var attachments []string
	for err == nil {
		var p *mail.Part
		p, err = mr.NextPart()
		if p == nil {
			break
		}
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := h.ContentType()
			body, _ := io.ReadAll(io.LimitReader(p.Body, maxText))
			switch {
			case ct == "text/plain" && plain == "":
				plain = string(body)
			case ct == "text/html" && htmlText == "":
				htmlText = htmltext.Text(string(body))
			}
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			ct, _, _ := h.ContentType()
			attachments = append(attachments, "[attachment: "+strings.TrimSpace(name+" "+ct)+"]")
		}
	}
	text := plain
	if text == "" {
		text = htmlText
	}
	if text == "" && len(attachments) == 0 {
		return ""
	}
	b.WriteString(strings.ReplaceAll(strings.TrimRight(text, "\r\n "), "\r\n", "\n"))
	for _, a := range attachments {
		b.WriteString("\n" + a)
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

// decodedHeader is one header field with RFC 2047 encoded words decoded;
// a field in an unknown charset is shown as it is.
func decodedHeader(h mail.Header, key string) string {
	v, err := h.Text(key)
	if err != nil && v == "" {
		return h.Get(key)
	}
	return v
}
