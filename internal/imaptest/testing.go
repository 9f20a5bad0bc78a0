package imaptest

import "time"

// TB is the part of testing.TB the helpers use (so this package does not
// import testing into the binary that runs the demo server).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// timeZero lets the server stamp INTERNALDATE with the current time.
var timeZero time.Time

// Start runs a server for user/password on a free loopback port, closed when
// the test ends.
func Start(t TB, user, password string) *Server {
	t.Helper()
	return StartWith(t, user, password, nil)
}

// StartWith is Start with Options.
func StartWith(t TB, user, password string, opts *Options) *Server {
	t.Helper()
	s := New(user, password, opts)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Append stores raw in mailbox (created if missing) and returns its UID.
func (s *Server) Append(t TB, mailbox string, raw []byte) uint32 {
	t.Helper()
	uid, err := s.AppendMessage(mailbox, raw, nil, timeZero)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return uid
}

// MustMessages returns the messages of mailbox, failing the test on error.
func (s *Server) MustMessages(t TB, mailbox string) []Message {
	t.Helper()
	msgs, err := s.Messages(mailbox)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return msgs
}

// MustRestart restarts the server on the same address.
func (s *Server) MustRestart(t TB) {
	t.Helper()
	if err := s.Restart(); err != nil {
		t.Fatalf("%v", err)
	}
}

// MustResetUIDValidity gives mailbox a new UIDVALIDITY and returns it.
func (s *Server) MustResetUIDValidity(t TB, mailbox string) uint32 {
	t.Helper()
	v, err := s.ResetUIDValidity(mailbox)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return v
}
