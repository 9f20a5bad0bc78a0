package mailin_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/basis-crm/basis/internal/imaptest"
	"github.com/basis-crm/basis/mailin"
)

// testUser and testPass log in to every test server.
const (
	testUser = "info@acme-srl.example"
	testPass = "s3cret"
)

// quietLog discards log output.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// accountFor returns an Account for a server at host:port.
func accountFor(host string, port int, user, pass string) mailin.Account {
	return mailin.Account{Name: "shared", Host: host, Port: port, TLS: mailin.TLSNone,
		Username: user, Password: pass, Mailbox: "INBOX", After: mailin.AfterFlag}
}

// memAccount returns an Account for an imaptest server.
func memAccount(s *imaptest.Server) mailin.Account {
	return accountFor(s.Host(), s.Port(), s.User, s.Password)
}

// testCtx is a generous deadline: tests wait on events, never on time.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustDial connects or fails the test.
func mustDial(t *testing.T, a mailin.Account) *mailin.Conn {
	t.Helper()
	c, err := mailin.Dial(testCtx(t), a, quietLog)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// inquiry builds a small RFC 5322 message numbered n, padded with body
// bytes to roughly size bytes.
func inquiry(n, size int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Mario Rossi <mario%d@example.it>\r\n", n)
	fmt.Fprintf(&b, "To: info@acme-srl.example\r\nSubject: Richiesta %d\r\n", n)
	fmt.Fprintf(&b, "Message-ID: <inq-%d@example.it>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0100\r\n", n)
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString("Buongiorno, vorrei un preventivo.\r\n")
	line := strings.Repeat("x", 76) + "\r\n"
	if pad := size - b.Len(); pad > 0 {
		b.WriteString(strings.Repeat(line, (pad+len(line)-1)/len(line)))
	}
	return []byte(b.String())
}

// fetchAll collects everything Fetch returns after afterUID.
func fetchAll(t *testing.T, c *mailin.Conn, afterUID uint32, batch int, maxBytes int64) []mailin.Fetched {
	t.Helper()
	var got []mailin.Fetched
	err := c.Fetch(testCtx(t), afterUID, batch, maxBytes, func(f mailin.Fetched) error {
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	return got
}
