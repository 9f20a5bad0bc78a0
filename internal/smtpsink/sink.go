// Package smtpsink is an in-process SMTP server that records every message it
// accepts. Tests use it as the real peer of the mailout sender, and the demo
// mode uses it as a local mail catcher. It can be told to misbehave: answer
// 4xx/5xx, close the connection, drop it in the middle of DATA, or require
// AUTH PLAIN.
package smtpsink

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message the sink accepted.
type Message struct {
	From      string    // envelope sender (MAIL FROM)
	To        []string  // envelope recipients (RCPT TO)
	Raw       []byte    // the bytes received in DATA, exactly
	MessageID string    // the Message-ID header, angle brackets included; "" if absent
	Conn      int       // which connection carried it, counting from 1
	Received  time.Time // when DATA completed
}

// Options configure a Server made with New.
type Options struct {
	// Domain is the name in the greeting; "localhost" if empty.
	Domain string
	// Discard keeps only the count of accepted messages, not the messages;
	// for long runs such as benchmarks.
	Discard bool
	// MaxMessageBytes limits a message's size; 0 means no limit.
	MaxMessageBytes int64
	// TLSConfig, if set, offers STARTTLS with it, or, with ImplicitTLS,
	// speaks TLS from the first byte.
	TLSConfig   *tls.Config
	ImplicitTLS bool
	// ErrorLog receives the server's internal errors; discarded if nil.
	ErrorLog *log.Logger
}

// Server is an SMTP sink. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	smtp *smtp.Server
	ln   net.Listener

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever msgs grows
	msgs     []Message
	accepted int
	conns    int
	open     map[*trackedConn]struct{}
	rules    []*Rule
	drops    int // DATA commands still to drop
	user     string
	pass     string
	authOn   bool
}

// New returns a sink that is not listening yet; call Listen.
func New(opts Options) *Server {
	if opts.Domain == "" {
		opts.Domain = "localhost"
	}
	s := &Server{opts: opts, changed: make(chan struct{}), open: make(map[*trackedConn]struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = opts.Domain
	srv.MaxMessageBytes = opts.MaxMessageBytes
	if !opts.ImplicitTLS {
		srv.TLSConfig = opts.TLSConfig
	}
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	if opts.ErrorLog != nil {
		srv.ErrorLog = opts.ErrorLog
	} else {
		srv.ErrorLog = log.New(io.Discard, "", 0)
	}
	s.smtp = srv
	return s
}

// Start returns a sink listening on 127.0.0.1 on a free port, closed when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := New(Options{})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatalf("smtpsink: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Listen starts serving on addr (host:port, port 0 picks a free one) in the
// background. Only loopback addresses are accepted: the sink allows AUTH
// without TLS, which is safe only there.
func (s *Server) Listen(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("smtpsink: listen %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("smtpsink: listen %q: only loopback addresses are allowed (use 127.0.0.1)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("smtpsink: listen %q: %w", addr, err)
	}
	if s.opts.ImplicitTLS {
		if s.opts.TLSConfig == nil {
			ln.Close()
			return errors.New("smtpsink: ImplicitTLS needs a TLSConfig")
		}
		ln = tls.NewListener(&countingListener{Listener: ln, sink: s}, s.opts.TLSConfig)
	} else {
		ln = &countingListener{Listener: ln, sink: s}
	}
	s.ln = ln
	s.smtp.AllowInsecureAuth = true
	go func() {
		if err := s.smtp.Serve(s.ln); err != nil && !errors.Is(err, net.ErrClosed) {
			s.smtp.ErrorLog.Printf("serve: %v", err)
		}
	}()
	return nil
}

// Addr is the host:port the sink listens on.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops the sink and closes every open connection.
func (s *Server) Close() error {
	return s.smtp.Close()
}

// Messages returns a copy of the list of accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Count is the number of messages accepted so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Connections is the number of connections accepted so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// WaitFor waits until at least n messages were accepted and returns them, or
// returns an error after timeout. The timeout is a safety net against a hung
// test, not a performance assertion.
func (s *Server) WaitFor(n int, timeout time.Duration) ([]Message, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := s.accepted, s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages(), nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return s.Messages(), fmt.Errorf("smtpsink: %d messages received after %s, want %d", got, timeout, n)
		}
	}
}

// HangUp closes every open connection without a word, as a server does
// with connections idle for too long. The sink keeps listening.
func (s *Server) HangUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.open {
		c.Conn.Close()
	}
}

func (s *Server) opened(c *trackedConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns++
	c.id = s.conns
	s.open[c] = struct{}{}
}

func (s *Server) closed(c *trackedConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, c)
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accepted++
	if !s.opts.Discard {
		s.msgs = append(s.msgs, m)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}
