// Package imaptest runs an in-process IMAP server (go-imap's imapserver with
// the in-memory backend imapmemserver) on loopback, for tests and for the
// demo mode of basis serve.
//
// Server works without testing.T; Start and the methods taking a TB are the
// test-flavoured helpers on top.
//
// UIDVALIDITY: imapmemserver gives a re-created mailbox a new UIDVALIDITY,
// so ResetUIDValidity copies the mailbox's messages out, deletes and
// re-creates it, and appends them again (new UIDs, new UIDVALIDITY). Sessions
// that had the mailbox selected keep seeing the old copy until they select it
// again; Dovecot (internal/dovecot) covers the behaviour of a real server.
package imaptest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Options change what the server advertises.
type Options struct {
	// Rev1Only advertises plain IMAP4rev1: no IDLE, MOVE or UIDPLUS, so
	// clients must poll and fall back to COPY + STORE + EXPUNGE.
	Rev1Only bool
	// NoIdle hides the IDLE capability (imapserver always offers it), so
	// clients must poll. It implies Rev1Only, since IMAP4rev2 includes IDLE.
	NoIdle bool
	// RefusePlaintext makes the server refuse LOGIN without TLS (it
	// advertises LOGINDISABLED), as servers configured for TLS only do.
	RefusePlaintext bool
	// TLSConfig enables STARTTLS with this config (see SelfSignedTLS).
	TLSConfig *tls.Config
	// ImplicitTLS serves TLS from the first byte (like port 993); it needs
	// TLSConfig.
	ImplicitTLS bool
	// Logger receives the server's error messages; discarded when nil.
	Logger *log.Logger
}

// Server is an in-memory IMAP server with one user.
type Server struct {
	User, Password string

	opts *Options
	mem  *imapmemserver.Server
	user *imapmemserver.User

	mu    sync.Mutex
	srv   *imapserver.Server
	ln    net.Listener
	addr  string
	conns map[net.Conn]struct{}
	done  chan struct{}
}

// New makes a server with one user owning an empty INBOX. It does not
// listen until Start.
func New(user, password string, opts *Options) *Server {
	if opts == nil {
		opts = &Options{}
	}
	s := &Server{User: user, Password: password, opts: opts, mem: imapmemserver.New(), conns: map[net.Conn]struct{}{}}
	s.user = imapmemserver.NewUser(user, password)
	s.mem.AddUser(s.user)
	if err := s.user.Create("INBOX", nil); err != nil {
		panic(fmt.Sprintf("imaptest: create INBOX: %v", err)) // cannot fail on a new user
	}
	return s
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the
// background.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("imaptest: listen %s: %w", addr, err)
	}
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}
	if s.opts.Rev1Only || s.opts.NoIdle {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}}
	}
	logger := s.opts.Logger
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return s.mem.NewSession(), nil, nil
		},
		Caps:         caps,
		Logger:       logger,
		InsecureAuth: !s.opts.RefusePlaintext,
		TLSConfig:    s.opts.TLSConfig,
	})
	var served net.Listener = &trackingListener{Listener: ln, s: s}
	if s.opts.ImplicitTLS && s.opts.TLSConfig != nil {
		served = tls.NewListener(served, s.opts.TLSConfig)
	}
	done := make(chan struct{})
	s.mu.Lock()
	s.srv, s.ln, s.addr, s.done = srv, served, ln.Addr().String(), done
	s.mu.Unlock()
	go func() {
		defer close(done)
		_ = srv.Serve(served)
	}()
	return nil
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Host and Port split Addr.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr()); return h }

// Port is the TCP port of Addr.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr())
	var n int
	fmt.Sscan(p, &n)
	return n
}

// Close stops listening and drops every connection. Mailboxes are kept, so
// Start (or Restart) serves them again.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, ln, done := s.srv, s.ln, s.done
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	if lerr := ln.Close(); err == nil && !errors.Is(lerr, net.ErrClosed) {
		err = lerr // Serve may not have registered ln with srv yet
	}
	s.DropConnections()
	<-done
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// Restart closes the server and listens again on the same address.
func (s *Server) Restart() error {
	addr := s.Addr()
	if err := s.Close(); err != nil {
		return err
	}
	var err error
	for range 50 { // the port may linger for a moment
		if err = s.Start(addr); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// DropConnections closes every client connection at once, without a BYE, as
// a crashing server or a broken network would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := s.conns
	s.conns = map[net.Conn]struct{}{}
	s.mu.Unlock()
	for c := range conns {
		c.Close()
	}
}

// CreateMailbox creates a mailbox (no error if it exists).
func (s *Server) CreateMailbox(name string) error {
	err := s.user.Create(name, nil)
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists {
		return nil
	}
	return err
}

// AppendMessage stores raw in mailbox (created if missing) and returns its UID.
func (s *Server) AppendMessage(mailbox string, raw []byte, flags []imap.Flag, date time.Time) (uint32, error) {
	if err := s.CreateMailbox(mailbox); err != nil {
		return 0, fmt.Errorf("imaptest: create %s: %w", mailbox, err)
	}
	data, err := s.user.Append(mailbox, bytes.NewReader(raw), &imap.AppendOptions{Flags: flags, Time: date})
	if err != nil {
		return 0, fmt.Errorf("imaptest: append to %s: %w", mailbox, err)
	}
	return uint32(data.UID), nil
}

// MailboxStatus reports the message count, UIDNEXT and UIDVALIDITY of mailbox.
func (s *Server) MailboxStatus(mailbox string) (*imap.StatusData, error) {
	return s.user.Status(mailbox, &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true})
}

// trackingListener remembers accepted connections so DropConnections can
// close them.
type trackingListener struct {
	net.Listener
	s *Server
}

// Accept records the connection before handing it to the IMAP server.
func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, s: l.s}
	l.s.mu.Lock()
	l.s.conns[tc] = struct{}{}
	l.s.mu.Unlock()
	return tc, nil
}

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	s *Server
}

// Write hides IDLE from capability lists when Options.NoIdle is set.
func (c *trackedConn) Write(b []byte) (int, error) {
	if c.s.opts.NoIdle && bytes.Contains(b, []byte("CAPABILITY")) {
		if _, err := c.Conn.Write(bytes.ReplaceAll(b, []byte(" IDLE"), nil)); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// Close closes the connection and removes it from the server's set.
func (c *trackedConn) Close() error {
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	return c.Conn.Close()
}
