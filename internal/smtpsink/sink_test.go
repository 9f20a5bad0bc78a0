package smtpsink_test

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/basis-crm/basis/internal/smtpsink"
)

const testMsg = "From: a@example.org\r\nTo: b@example.org\r\nMessage-ID: <1@example.org>\r\nSubject: hi\r\n\r\nbody\r\n"

func dial(t *testing.T, sink *smtpsink.Server) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(sink.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(c *smtp.Client, to string) error {
	return c.SendMail("a@example.org", []string{to}, strings.NewReader(testMsg))
}

func TestSinkRecordsMessageExactly(t *testing.T) {
	sink := smtpsink.Start(t)
	c := dial(t, sink)
	for _, to := range []string{"b@example.org", "c@example.org"} {
		if err := send(c, to); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := sink.WaitFor(2, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[1]
	if string(m.Raw) != testMsg || m.From != "a@example.org" || len(m.To) != 1 || m.To[0] != "c@example.org" {
		t.Errorf("recorded %+v", m)
	}
	if m.MessageID != "<1@example.org>" {
		t.Errorf("MessageID = %q", m.MessageID)
	}
	if sink.Connections() != 1 || m.Conn != 1 {
		t.Errorf("connections = %d, message conn %d, want 1", sink.Connections(), m.Conn)
	}
}

func TestSinkRules(t *testing.T) {
	sink := smtpsink.Start(t)
	sink.RejectRecipient("gone@example.org", 550, "5.1.1", "no such user", 0)
	sink.FailNext(451, "4.7.1", "try later", 1)
	c := dial(t, sink)

	var e *smtp.SMTPError
	if err := send(c, "gone@example.org"); !errors.As(err, &e) || e.Code != 550 || e.EnhancedCode != (smtp.EnhancedCode{5, 1, 1}) {
		t.Fatalf("rejected recipient: %v", err)
	}
	c.Reset()
	if err := send(c, "b@example.org"); !errors.As(err, &e) || e.Code != 451 {
		t.Fatalf("FailNext: %v", err)
	}
	if err := send(c, "b@example.org"); err != nil {
		t.Fatalf("after FailNext expired: %v", err)
	}
	if n := sink.Count(); n != 1 {
		t.Errorf("accepted %d, want 1", n)
	}
}

func TestSink421ClosesConnection(t *testing.T) {
	sink := smtpsink.Start(t)
	sink.FailNext(421, "4.3.2", "shutting down", 1)
	c := dial(t, sink)
	var e *smtp.SMTPError
	if err := send(c, "b@example.org"); !errors.As(err, &e) || e.Code != 421 {
		t.Fatalf("got %v, want 421", err)
	}
	if err := c.Noop(); err == nil {
		t.Fatal("connection still open after 421")
	}
}

func TestSinkDropDuringData(t *testing.T) {
	sink := smtpsink.Start(t)
	sink.DropDuringData(1)
	c := dial(t, sink)
	if err := send(c, "b@example.org"); err == nil {
		t.Fatal("send succeeded on a dropped connection")
	}
	c2 := dial(t, sink)
	if err := send(c2, "b@example.org"); err != nil {
		t.Fatal(err)
	}
	if n := sink.Count(); n != 1 {
		t.Errorf("accepted %d, want 1", n)
	}
}

func TestSinkRequireAuth(t *testing.T) {
	sink := smtpsink.Start(t)
	sink.RequireAuth("user", "secret")

	c := dial(t, sink)
	if err := send(c, "b@example.org"); err == nil {
		t.Fatal("accepted mail without auth")
	}
	c = dial(t, sink)
	if err := c.Auth(sasl.NewPlainClient("", "user", "wrong")); err == nil {
		t.Fatal("accepted a wrong password")
	}
	c = dial(t, sink)
	if err := c.Auth(sasl.NewPlainClient("", "user", "secret")); err != nil {
		t.Fatal(err)
	}
	if err := send(c, "b@example.org"); err != nil {
		t.Fatal(err)
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	s := smtpsink.New(smtpsink.Options{})
	if err := s.Listen("0.0.0.0:0"); err == nil {
		s.Close()
		t.Fatal("listened on 0.0.0.0")
	}
}

func TestSinkStartTLSAndImplicitTLS(t *testing.T) {
	srvTLS, roots, err := smtpsink.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	for _, implicit := range []bool{false, true} {
		s := smtpsink.New(smtpsink.Options{TLSConfig: srvTLS, ImplicitTLS: implicit})
		if err := s.Listen("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		cfg := &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}
		var c *smtp.Client
		if implicit {
			c, err = smtp.DialTLS(s.Addr(), cfg)
		} else {
			c, err = smtp.DialStartTLS(s.Addr(), cfg)
		}
		if err != nil {
			t.Fatalf("implicit=%v: %v", implicit, err)
		}
		if err := send(c, "b@example.org"); err != nil {
			t.Fatalf("implicit=%v: %v", implicit, err)
		}
		if _, ok := c.TLSConnectionState(); !ok {
			t.Errorf("implicit=%v: connection is not TLS", implicit)
		}
		c.Close()
		if msgs := s.Messages(); len(msgs) != 1 || msgs[0].Conn != 1 {
			t.Errorf("implicit=%v: recorded %+v", implicit, msgs)
		}
	}
}

func TestSinkHangUpClosesIdleConnections(t *testing.T) {
	sink := smtpsink.Start(t)
	c := dial(t, sink)
	if err := c.Noop(); err != nil {
		t.Fatal(err)
	}
	sink.HangUp()
	if err := c.Noop(); err == nil {
		t.Fatal("connection still answers after HangUp")
	}
}
