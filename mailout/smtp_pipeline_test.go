package mailout

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"net"
	"net/textproto"
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
	got := make(chan string, 1)
	s, fail := scriptedSender(t, func(ln net.Listener, fail chan<- string) { scriptedServer(ln, got, fail) })
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
	s, ok := acceptScripted(ln, fail, "250-scripted\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES")
	if !ok {
		return
	}
	for i := range 2 {
		if !s.envelope() {
			return
		}
		if i == 0 {
			s.say("250 2.1.0 ok\r\n550 5.1.1 no such user\r\n354 go ahead anyway")
			if !s.expect(".\r\n") {
				return
			}
			s.say("554 5.5.1 no valid recipients")
			if !s.expect("RSET") {
				return
			}
			s.say("250 2.0.0 reset")
			continue
		}
		s.say("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead")
		data, ok := s.body()
		if !ok {
			return
		}
		s.say("250 2.0.0 queued")
		got <- data + ".\r\n"
	}
	s.quit()
}
