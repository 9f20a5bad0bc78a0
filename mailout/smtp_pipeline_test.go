package mailout

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
)

// TestDotStuffWritesWhatTextprotoWrites compares dotStuff with the dot
// writer go-smtp's transaction uses, over bodies with leading dots, bare
// LF, CRLF, runs of CR and no final line break.
func TestDotStuffWritesWhatTextprotoWrites(t *testing.T) {
	bodies := []string{"", ".", "\n", "\r", "\r\n", "a", "a\r\n.b\r\n", ".lead\n..two\nend", "x\r\r\n.y\r\r\r\n", "a\rb\r.c\n.d\r"}
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{".", "\n", "\r", "\r\n", "a", "..", " ", "riga"}
	for range 3000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		bodies = append(bodies, b.String())
	}
	for _, body := range bodies {
		var want bytes.Buffer
		bw := bufio.NewWriter(&want)
		dw := textproto.NewWriter(bw).DotWriter()
		dw.Write([]byte(body))
		dw.Close()
		bw.Flush()
		if got := dotStuff(nil, []byte(body)); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("dotStuff(%q) = %q, want %q", body, got, want.Bytes())
		}
	}
}

// TestSendPipelines runs the sender against a scripted server that answers
// MAIL, RCPT and DATA only once it has all three (a client that waits for
// each reply would hang), refuses the first recipient yet wrongly accepts
// DATA: the client must end that DATA with an empty message, reset, and
// send the next message normally.
func TestSendPipelines(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	fail := make(chan string, 1)
	go scriptedServer(ln, got, fail)
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	s := newSender(t, SMTPConfig{Host: host, Port: p, TLS: TLSNone, Concurrency: 1, Timeout: waitLimit})
	c := mustCompose(t, testDraft())
	se := sendErr(t, s, "nobody@example.it")
	if se.Code != 550 || se.Enhanced != "5.1.1" || !se.RecipientRejected || se.stage != stageRcpt {
		t.Fatalf("first message: %+v", se)
	}
	if err := s.Send(t.Context(), c.EnvelopeFrom, "mario.rossi@example.it", c.Raw); err != nil {
		t.Fatalf("second message: %v", err)
	}
	select {
	case msg := <-fail:
		t.Fatal(msg)
	case data := <-got:
		want := string(dotStuff(nil, c.Raw))
		if data != want {
			t.Errorf("server received %q, want %q", data, want)
		}
	}
}

// scriptedServer plays the server side of TestSendPipelines on one
// connection; it sends the DATA it received to got, or what went wrong to
// fail.
func scriptedServer(ln net.Listener, got, fail chan<- string) {
	conn, r, say, expect, ok := acceptScripted(ln, fail)
	if !ok {
		return
	}
	defer conn.Close()
	say("220 scripted ESMTP")
	if !expect("EHLO ") {
		return
	}
	say("250-scripted\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES")
	for i := range 2 {
		for _, cmd := range []string{"MAIL FROM:<", "RCPT TO:<", "DATA"} {
			if !expect(cmd) {
				return
			}
		}
		if i == 0 {
			say("250 2.1.0 ok\r\n550 5.1.1 no such user\r\n354 go ahead anyway")
			if !expect(".\r\n") {
				return
			}
			say("554 5.5.1 no valid recipients")
			if !expect("RSET") {
				return
			}
			say("250 2.0.0 reset")
			continue
		}
		say("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead")
		var data strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				fail <- "reading DATA: " + err.Error()
				return
			}
			data.WriteString(line)
			if line == ".\r\n" {
				break
			}
		}
		say("250 2.0.0 queued")
		got <- data.String()
	}
	r.ReadString('\n') // QUIT, at the sender's Close
	say("221 2.0.0 bye")
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// acceptScripted accepts one connection for a scripted server and returns
// it with its reader, say (writes a reply line) and expect (reads a line
// and checks its start, reporting a mismatch to fail).
func acceptScripted(ln net.Listener, fail chan<- string) (net.Conn, *bufio.Reader, func(string), func(string) bool, bool) {
	conn, err := ln.Accept()
	if err != nil {
		fail <- err.Error()
		return nil, nil, nil, nil, false
	}
	r := bufio.NewReader(conn)
	say := func(s string) { conn.Write([]byte(s + "\r\n")) }
	expect := func(prefix string) bool {
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, prefix) {
			fail <- "expected " + prefix + ", got " + strconv.Quote(line) + " " + errString(err)
			return false
		}
		return true
	}
	return conn, r, say, expect, true
}
