package imaptest_test

import (
	"testing"

	"github.com/basis-crm/basis/internal/imaptest"
	"github.com/emersion/go-imap/v2/imapclient"
)

func TestAppendedMessagesAreServed(t *testing.T) {
	s := imaptest.Start(t, "u", "p")
	raw := []byte("From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n")
	if uid := s.Append(t, "INBOX", raw); uid != 1 {
		t.Errorf("first UID %d, want 1", uid)
	}
	s.Append(t, "Other", raw) // created on demand
	msgs := s.MustMessages(t, "INBOX")
	if len(msgs) != 1 || string(msgs[0].Raw) != string(raw) {
		t.Fatalf("INBOX = %+v", msgs)
	}
}

func TestRestartKeepsMailboxesOnSameAddress(t *testing.T) {
	s := imaptest.Start(t, "u", "p")
	s.Append(t, "INBOX", []byte("Subject: x\r\n\r\nx\r\n"))
	addr := s.Addr()
	s.MustRestart(t)
	if s.Addr() != addr {
		t.Errorf("address changed from %s to %s", addr, s.Addr())
	}
	if got := s.MustMessages(t, "INBOX"); len(got) != 1 {
		t.Errorf("%d messages after restart, want 1", len(got))
	}
}

func TestDropConnectionsClosesClients(t *testing.T) {
	s := imaptest.Start(t, "u", "p")
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("u", "p").Wait(); err != nil {
		t.Fatal(err)
	}
	s.DropConnections()
	<-c.Closed()
	if err := c.Noop().Wait(); err == nil {
		t.Error("NOOP succeeded on a dropped connection")
	}
}

func TestResetUIDValidityChangesItAndKeepsMessages(t *testing.T) {
	s := imaptest.Start(t, "u", "p")
	s.Append(t, "INBOX", []byte("Subject: 1\r\n\r\n1\r\n"))
	s.Append(t, "INBOX", []byte("Subject: 2\r\n\r\n2\r\n"))
	before, err := s.MailboxStatus("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	after := s.MustResetUIDValidity(t, "INBOX")
	if after == before.UIDValidity {
		t.Fatalf("UIDVALIDITY still %d", after)
	}
	if got := s.MustMessages(t, "INBOX"); len(got) != 2 || string(got[1].Raw) != "Subject: 2\r\n\r\n2\r\n" {
		t.Errorf("messages after reset: %+v", got)
	}
}
