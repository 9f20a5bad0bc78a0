package mailout

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
)

// scripted is the server side of a scripted SMTP conversation on one
// accepted connection: the tests' servers that answer only when a
// pipelining client has sent what they wait for. What goes wrong is
// reported to fail.
type scripted struct {
	conn net.Conn
	r    *bufio.Reader
	fail chan<- string
}

// acceptScripted accepts one connection and greets it; ehlo is the reply
// to EHLO (e.g. "250-scripted\r\n250 PIPELINING").
func acceptScripted(ln net.Listener, fail chan<- string, ehlo string) (*scripted, bool) {
	conn, err := ln.Accept()
	if err != nil {
		fail <- err.Error()
		return nil, false
	}
	s := &scripted{conn: conn, r: bufio.NewReader(conn), fail: fail}
	s.say("220 scripted ESMTP")
	if !s.expect("EHLO ") {
		conn.Close()
		return nil, false
	}
	s.say(ehlo)
	return s, true
}

// say writes reply lines (several joined by CRLF).
func (s *scripted) say(reply string) { s.conn.Write([]byte(reply + "\r\n")) }

// expect reads a line and checks how it starts.
func (s *scripted) expect(prefix string) bool {
	line, err := s.r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, prefix) {
		s.fail <- "expected " + prefix + ", got " + strconv.Quote(line) + " " + errString(err)
		return false
	}
	return true
}

// envelope reads MAIL, RCPT and DATA, without answering.
func (s *scripted) envelope() bool {
	return s.expect("MAIL FROM:<") && s.expect("RCPT TO:<") && s.expect("DATA")
}

// body reads a message's data up to its final dot, which it leaves out.
func (s *scripted) body() (string, bool) {
	var b strings.Builder
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			s.fail <- "reading DATA: " + err.Error()
			return "", false
		}
		if line == ".\r\n" {
			return b.String(), true
		}
		b.WriteString(line)
	}
}

// quit answers the client's QUIT (at the sender's Close) and hangs up.
func (s *scripted) quit() {
	s.r.ReadString('\n')
	s.say("221 2.0.0 bye")
	s.conn.Close()
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// scriptedSender starts serve on a loopback listener (closed at the end of
// the test) and returns a one-connection Sender for it, and the channel
// serve reports failures to.
func scriptedSender(t *testing.T, serve func(ln net.Listener, fail chan<- string)) (*Sender, chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	fail := make(chan string, 4)
	go serve(ln, fail)
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return newSender(t, SMTPConfig{Host: host, Port: p, TLS: TLSNone, Concurrency: 1, Timeout: waitLimit}), fail
}

// noScriptFailure fails the test with what the scripted server reported,
// if anything.
func noScriptFailure(t *testing.T, fail <-chan string) {
	t.Helper()
	select {
	case msg := <-fail:
		t.Fatal(msg)
	default:
	}
}
