// Package demo runs the in-process mail servers of demo mode: an IMAP
// server holding a shared inbox seeded with realistic inquiries, and an SMTP
// catcher that keeps what Basis sends, so that a new user sees the whole
// product work with nothing to configure.
package demo

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"time"

	"github.com/basis-crm/basis/internal/imaptest"
	"github.com/basis-crm/basis/internal/smtpsink"
)

//go:embed seed/*.eml
var seed embed.FS

// Credentials of the demo inbox.
const (
	User     = "info@acme-srl.it"
	Password = "demo-inbox"
	Mailbox  = "INBOX"
)

// Demo is the pair of running demo servers.
type Demo struct {
	IMAP *imaptest.Server
	SMTP *smtpsink.Server
	// Seeded is how many sample messages the inbox started with.
	Seeded int
}

// Start starts both servers on loopback ports and seeds the inbox.
func Start(now time.Time) (*Demo, error) {
	d := &Demo{IMAP: imaptest.New(User, Password, nil), SMTP: smtpsink.New(smtpsink.Options{Domain: "demo.localhost"})}
	if err := d.IMAP.Start("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("demo: imap: %w", err)
	}
	if err := d.SMTP.Listen("127.0.0.1:0"); err != nil {
		d.IMAP.Close()
		return nil, fmt.Errorf("demo: smtp: %w", err)
	}
	msgs, err := Seed(now)
	if err != nil {
		d.Close()
		return nil, err
	}
	for _, raw := range msgs {
		if _, err := d.IMAP.AppendMessage(Mailbox, raw, nil, now); err != nil {
			d.Close()
			return nil, fmt.Errorf("demo: seed inbox: %w", err)
		}
	}
	d.Seeded = len(msgs)
	return d, nil
}

// Close stops both servers.
func (d *Demo) Close() {
	d.IMAP.Close()
	d.SMTP.Close()
}

var datePlaceholder = regexp.MustCompile(`\{\{DATE (-?\d+h)\}\}`)

// Seed returns the demo inbox's messages, dated relative to now, with CRLF
// line endings.
func Seed(now time.Time) ([][]byte, error) {
	names, err := fs.Glob(seed, "seed/*.eml")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	sort.Strings(names)
	var out [][]byte
	for _, name := range names {
		raw, err := seed.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		raw = datePlaceholder.ReplaceAllFunc(raw, func(m []byte) []byte {
			offset, _ := time.ParseDuration(string(datePlaceholder.FindSubmatch(m)[1]))
			return []byte(now.Add(offset).Format(time.RFC1123Z))
		})
		out = append(out, crlf(raw))
	}
	return out, nil
}

func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}
