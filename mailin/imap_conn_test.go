package mailin_test

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/basis-crm/basis/internal/imaptest"
	"github.com/basis-crm/basis/mailin"
)

func TestDialSelectsMailbox(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	srv.Append(t, "INBOX", inquiry(1, 100))
	c := mustDial(t, memAccount(srv))
	st, err := c.Select(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Exists != 1 || st.UIDNext != 2 || st.UIDValidity == 0 {
		t.Errorf("state = %+v, want 1 message, UIDNEXT 2, a UIDVALIDITY", st)
	}
}

func TestDialWrongPasswordNamesAccountAndSetting(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	a := memAccount(srv)
	a.Password = "wrong"
	_, err := mailin.Dial(testCtx(t), a, quietLog)
	if !errors.Is(err, mailin.ErrLoginRefused) {
		t.Fatalf("err = %v, want ErrLoginRefused", err)
	}
	want := `account "shared": login refused by ` + srv.Addr() + ` (check mailin.accounts[0].username and password)`
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("message leaks the password: %s", err)
	}
}

func TestDialMissingMailboxNamesSetting(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	a := memAccount(srv)
	a.Mailbox = "Richieste"
	a.Index = 2
	_, err := mailin.Dial(testCtx(t), a, quietLog)
	if !errors.Is(err, mailin.ErrMailboxMissing) {
		t.Fatalf("err = %v, want ErrMailboxMissing", err)
	}
	for _, s := range []string{`account "shared"`, `"Richieste"`, "mailin.accounts[2].mailbox"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %s", err, s)
		}
	}
}

func TestDialRefusedConnectionNamesHostAndPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close() // nothing listens there now
	_, err = mailin.Dial(testCtx(t), accountFor("127.0.0.1", addr.Port, "u", "p"), quietLog)
	if !errors.Is(err, mailin.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), "mailin.accounts[0].host and mailin.accounts[0].port") {
		t.Errorf("message %q does not name host and port", err)
	}
}

func TestDialTLSToPlainServerNamesTLSSetting(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	a := memAccount(srv)
	a.TLS = mailin.TLSImplicit
	a.InsecureSkipVerify = true
	_, err := mailin.Dial(testCtx(t), a, quietLog)
	if !errors.Is(err, mailin.ErrTLS) {
		t.Fatalf("err = %v, want ErrTLS", err)
	}
	if !strings.Contains(err.Error(), "mailin.accounts[0].tls") {
		t.Errorf("message %q does not name the tls setting", err)
	}
	var ae *mailin.AccountError
	if !errors.As(err, &ae) || ae.Account != "shared" {
		t.Errorf("err is not an AccountError for shared: %#v", err)
	}
}

func TestDialStartTLSUnsupportedNamesTLSSetting(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	a := memAccount(srv)
	a.TLS = mailin.TLSStartTLS
	_, err := mailin.Dial(testCtx(t), a, quietLog)
	if !errors.Is(err, mailin.ErrTLS) {
		t.Fatalf("err = %v, want ErrTLS", err)
	}
}

func TestDialPlaintextRefusedNamesTLSSetting(t *testing.T) {
	srv := imaptest.StartWith(t, testUser, testPass, &imaptest.Options{RefusePlaintext: true})
	_, err := mailin.Dial(testCtx(t), memAccount(srv), quietLog)
	if !errors.Is(err, mailin.ErrTLS) || errors.Is(err, mailin.ErrLoginRefused) {
		t.Fatalf("err = %v, want ErrTLS", err)
	}
	if !strings.Contains(err.Error(), "refuses to log in without TLS (check mailin.accounts[0].tls)") {
		t.Errorf("message %q", err)
	}
}

func TestDialOverTLS(t *testing.T) {
	cfg, err := imaptest.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode string
		opts *imaptest.Options
	}{
		{mailin.TLSImplicit, &imaptest.Options{TLSConfig: cfg, ImplicitTLS: true, RefusePlaintext: true}},
		{mailin.TLSStartTLS, &imaptest.Options{TLSConfig: cfg, RefusePlaintext: true}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			srv := imaptest.StartWith(t, testUser, testPass, tc.opts)
			a := memAccount(srv)
			a.TLS = tc.mode

			// the self-signed certificate is refused by default
			_, err := mailin.Dial(testCtx(t), a, quietLog)
			if !errors.Is(err, mailin.ErrTLS) || !strings.Contains(err.Error(), "mailin.accounts[0].tls") {
				t.Fatalf("untrusted certificate: err = %v, want ErrTLS naming the tls setting", err)
			}

			a.InsecureSkipVerify = true
			srv.Append(t, "INBOX", inquiry(1, 100))
			c := mustDial(t, a)
			if got := fetchAll(t, c, 0, 10, 0); len(got) != 1 {
				t.Errorf("fetched %d messages over TLS, want 1", len(got))
			}
		})
	}
}
