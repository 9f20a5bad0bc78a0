package demo

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"mime"
)

// Inquiry is a message a user drops into the demo inbox to watch it be
// captured.
type Inquiry struct {
	Name, Email, Subject, Body string
}

// Raw renders the inquiry as an RFC 5322 message from its sender to the
// shared inbox.
func (in Inquiry) Raw(now time.Time) ([]byte, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(in.Email))
	if err != nil {
		return nil, fmt.Errorf("demo: sender %q: %w", in.Email, err)
	}
	if strings.TrimSpace(in.Subject) == "" || strings.TrimSpace(in.Body) == "" {
		return nil, errors.New("demo: an inquiry needs a subject and a text")
	}
	from := mail.Address{Name: strings.TrimSpace(in.Name), Address: addr.Address}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@demo.localhost>\r\n",
		from.String(), User, mime.QEncoding.Encode("utf-8", oneLine(in.Subject)), now.Format(time.RFC1123Z), rand.Text())
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(in.Body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return []byte(b.String()), nil
}

// Drop appends an inquiry to the demo inbox.
func (d *Demo) Drop(in Inquiry) error {
	now := time.Now()
	raw, err := in.Raw(now)
	if err != nil {
		return err
	}
	if _, err := d.IMAP.AppendMessage(Mailbox, raw, nil, now); err != nil {
		return fmt.Errorf("demo: drop inquiry: %w", err)
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
