package mailout

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/basis-crm/basis/internal/smtpsink"
)

// streamed is what a test does with a Stream: each Send's and Flush's
// outcomes, in the order they came back.
type streamed struct {
	t    *testing.T
	st   *Stream
	outs []Outcome
}

func newStreamed(t *testing.T, s *Sender) *streamed {
	st, err := s.Stream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &streamed{t: t, st: st}
}

// send sends a message to to, tagged with to, and checks which earlier
// messages' outcomes came back with it.
func (x *streamed) send(to string, wantTags ...string) {
	x.t.Helper()
	d := testDraft()
	d.To = to
	c := mustCompose(x.t, d)
	x.check(x.st.Send(x.t.Context(), c.EnvelopeFrom, to, c.Raw, to), wantTags)
}

func (x *streamed) flush(wantTags ...string) { x.t.Helper(); x.check(x.st.Flush(), wantTags) }

func (x *streamed) check(outs []Outcome, want []string) {
	x.t.Helper()
	var got []string
	for _, o := range outs {
		got = append(got, o.Tag.(string))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		x.t.Fatalf("outcomes of %v, want %v", got, want)
	}
	x.outs = append(x.outs, outs...)
}

// outcome is the error reported for the message to to.
func (x *streamed) outcome(to string) error {
	x.t.Helper()
	for _, o := range x.outs {
		if o.Tag == to {
			return o.Err
		}
	}
	x.t.Fatalf("no outcome for %s", to)
	return nil
}

// TestStreamSendsBodyWithNextEnvelope runs a Stream against a scripted
// server that answers a message's final dot only once it has the next
// message's MAIL, RCPT and DATA (a client that waits for that reply before
// going on would time out), and refuses the second message's content: each
// outcome must come back with the right message.
func TestStreamSendsBodyWithNextEnvelope(t *testing.T) {
	bodies := make(chan string, 3)
	s, fail := scriptedSender(t, func(ln net.Listener, fail chan<- string) { streamServer(ln, bodies, fail) })
	x := newStreamed(t, s)
	x.send("a@example.it")                 // its body waits for the next envelope
	x.send("b@example.it", "a@example.it") // a's reply came with b's envelope replies
	x.send("c@example.it", "b@example.it")
	x.flush("c@example.it")
	noScriptFailure(t, fail)
	var se *SendError
	if err := x.outcome("b@example.it"); !errors.As(err, &se) || se.Code != 554 || se.Temporary || se.stage != stageData {
		t.Errorf("b: %v, want the 554 refusing its content", err)
	}
	for _, to := range []string{"a@example.it", "c@example.it"} {
		if err := x.outcome(to); err != nil {
			t.Errorf("%s: %v", to, err)
		}
	}
	if n := len(bodies); n != 3 {
		t.Errorf("server read %d bodies, want 3", n)
	}
}

// streamServer plays the server of TestStreamSendsBodyWithNextEnvelope.
func streamServer(ln net.Listener, bodies chan<- string, fail chan<- string) {
	s, ok := acceptScripted(ln, fail, "250-scripted\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES")
	if !ok {
		return
	}
	body := func() bool {
		b, ok := s.body()
		if ok {
			bodies <- b
		}
		return ok
	}
	if !s.envelope() {
		return
	}
	s.say("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead")
	if !body() || !s.envelope() { // a's body, then b's envelope before any reply to a's dot
		return
	}
	s.say("250 2.0.0 a queued\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead")
	if !body() || !s.envelope() {
		return
	}
	s.say("554 5.6.0 b's content refused\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead")
	if !body() { // c's body, sent by Flush with nothing after it
		return
	}
	s.say("250 2.0.0 c queued")
	s.quit()
}

// A recipient refused in the middle of a stream fails alone: the message
// before it (whose body went out with the refused envelope) and the one
// after it arrive.
func TestStreamRecipientRefusedMidStream(t *testing.T) {
	sink := smtpsink.Start(t)
	sink.RejectRecipient("c@example.it", 550, "5.1.1", "no such user", 0)
	x := newStreamed(t, newSender(t, sinkConfig(t, sink)))
	x.send("a@example.it")
	x.send("b@example.it", "a@example.it")
	x.send("c@example.it", "b@example.it", "c@example.it")
	x.send("d@example.it")
	x.flush("d@example.it")
	var se *SendError
	if err := x.outcome("c@example.it"); !errors.As(err, &se) || !se.RecipientRejected || se.Code != 550 {
		t.Errorf("c: %v, want its recipient refused", err)
	}
	for _, to := range []string{"a@example.it", "b@example.it", "d@example.it"} {
		if err := x.outcome(to); err != nil {
			t.Errorf("%s: %v", to, err)
		}
	}
	assertDelivered(t, sink, "a@example.it", "b@example.it", "d@example.it")
	if n := sink.Connections(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// When the server drops the connection while reading a body, that message
// failed for now (temporary); the next one, whose envelope had gone out in
// the same write, never reached DATA and is sent again at once on a fresh
// connection.
func TestStreamDropDuringDataFailsThatMessageOnly(t *testing.T) {
	sink := smtpsink.Start(t)
	x := newStreamed(t, newSender(t, sinkConfig(t, sink)))
	sink.DropDuringData(1)
	x.send("a@example.it")
	x.send("b@example.it", "a@example.it")
	x.flush("b@example.it")
	var se *SendError
	if err := x.outcome("a@example.it"); !errors.As(err, &se) || !se.Temporary || se.Code != 0 || se.stage != stageData {
		t.Errorf("a: %v, want a temporary failure during its data", err)
	}
	if err := x.outcome("b@example.it"); err != nil {
		t.Errorf("b: %v", err)
	}
	assertDelivered(t, sink, "b@example.it")
}

// A 421 in reply to a message's final dot fails that message for now; the
// server hung up, so the next message goes over a new connection.
func TestStream421AfterDataThenNextOnNewConnection(t *testing.T) {
	sink := smtpsink.Start(t)
	x := newStreamed(t, newSender(t, sinkConfig(t, sink)))
	sink.FailNext(421, "4.3.2", "shutting down", 1)
	x.send("a@example.it")
	x.send("b@example.it", "a@example.it")
	x.flush("b@example.it")
	var se *SendError
	if err := x.outcome("a@example.it"); !errors.As(err, &se) || !se.Temporary || se.Code != 421 {
		t.Errorf("a: %v, want the 421", err)
	}
	if err := x.outcome("b@example.it"); err != nil {
		t.Errorf("b: %v", err)
	}
	assertDelivered(t, sink, "b@example.it")
	if n := sink.Connections(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// A connection the server closed while the stream was idle is replaced
// without failing the next message.
func TestStreamReconnectsAfterIdleHangUp(t *testing.T) {
	sink := smtpsink.Start(t)
	x := newStreamed(t, newSender(t, sinkConfig(t, sink)))
	x.send("a@example.it")
	x.flush("a@example.it")
	sink.HangUp()
	x.send("b@example.it")
	x.flush("b@example.it")
	for _, to := range []string{"a@example.it", "b@example.it"} {
		if err := x.outcome(to); err != nil {
			t.Errorf("%s: %v", to, err)
		}
	}
	assertDelivered(t, sink, "a@example.it", "b@example.it")
}

// assertDelivered checks the sink holds one message for each of to, and
// no other.
func assertDelivered(t *testing.T, sink *smtpsink.Server, to ...string) {
	t.Helper()
	var got []string
	for _, m := range sink.Messages() {
		got = append(got, strings.Join(m.To, ","))
	}
	if strings.Join(got, " ") != strings.Join(to, " ") {
		t.Errorf("delivered to %v, want %v", got, to)
	}
}

// When the sender is told to stop while it waits for the reply to a body
// already sent, it still reads that reply: the message was accepted and
// must be recorded so, not as unknown (a campaign) or sent again (a
// notice). The next message's body, left pending, is finished by Flush.
func TestStreamShutdownWaitsForTheReplyOnItsWay(t *testing.T) {
	snd, fail := scriptedSender(t, func(ln net.Listener, fail chan<- string) {
		s, ok := acceptScripted(ln, fail, "250-scripted\r\n250 PIPELINING")
		if !ok {
			return
		}
		if !s.envelope() {
			return
		}
		s.say("250 ok\r\n250 ok\r\n354 go ahead")
		if _, ok := s.body(); !ok || !s.envelope() {
			return
		}
		time.Sleep(300 * time.Millisecond) // a slow server: the stop comes meanwhile
		s.say("250 a queued\r\n250 ok\r\n250 ok\r\n354 go ahead")
		if _, ok := s.body(); !ok {
			return
		}
		s.say("250 b queued")
		s.quit()
	})
	x := newStreamed(t, snd)
	x.send("a@example.it")
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	c := mustCompose(t, testDraft())
	x.check(x.st.Send(ctx, c.EnvelopeFrom, "b@example.it", c.Raw, "b@example.it"), []string{"a@example.it"})
	x.flush("b@example.it")
	noScriptFailure(t, fail)
	for _, to := range []string{"a@example.it", "b@example.it"} {
		if err := x.outcome(to); err != nil {
			t.Errorf("%s: %v, want accepted", to, err)
		}
	}
}

// A server that hung up and no longer announces PIPELINING when the stream
// reconnects gets the message one command at a time.
func TestStreamReconnectsToAServerThatNoLongerPipelines(t *testing.T) {
	bodies := make(chan string, 2)
	snd, fail := scriptedSender(t, func(ln net.Listener, fail chan<- string) {
		// The first connection pipelines and hangs up after one message,
		// the second does not pipeline: each command is answered alone.
		s, ok := acceptScripted(ln, fail, "250-scripted\r\n250 PIPELINING")
		if !ok || !s.envelope() {
			return
		}
		s.say("250 ok\r\n250 ok\r\n354 go ahead")
		b, ok := s.body()
		if !ok {
			return
		}
		bodies <- b
		s.say("250 queued")
		s.conn.Close()
		if s, ok = acceptScripted(ln, fail, "250 scripted"); !ok {
			return
		}
		for _, step := range [][2]string{{"MAIL FROM:<", "250 ok"}, {"RCPT TO:<", "250 ok"}, {"DATA", "354 go ahead"}} {
			if !s.expect(step[0]) {
				return
			}
			s.say(step[1])
		}
		if b, ok = s.body(); !ok {
			return
		}
		bodies <- b
		s.say("250 queued")
		s.quit()
	})
	x := newStreamed(t, snd)
	x.send("a@example.it")
	x.flush("a@example.it")
	time.Sleep(50 * time.Millisecond) // the server's hang-up arrives
	x.send("b@example.it", "b@example.it")
	noScriptFailure(t, fail)
	for _, to := range []string{"a@example.it", "b@example.it"} {
		if err := x.outcome(to); err != nil {
			t.Errorf("%s: %v", to, err)
		}
	}
	if n := len(bodies); n != 2 {
		t.Errorf("server read %d bodies, want 2", n)
	}
}

// A message whose turn under the rate limit has not come when the sender is
// told to stop is not sent, and says so (the outbox queues it again
// without counting an attempt).
func TestStreamStoppedDuringRateLimitIsNotSent(t *testing.T) {
	sink := smtpsink.Start(t)
	cfg := sinkConfig(t, sink)
	cfg.RatePerSecond = 0.5 // one message every 2 s
	x := newStreamed(t, newSender(t, cfg))
	x.send("a@example.it")
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	c := mustCompose(t, testDraft())
	outs := x.st.Send(ctx, c.EnvelopeFrom, "b@example.it", c.Raw, "b@example.it")
	x.check(outs, []string{"a@example.it", "b@example.it"})
	if err := x.outcome("b@example.it"); !errors.Is(err, errNotSent) || !errors.Is(err, context.Canceled) {
		t.Errorf("b: %v, want errNotSent", err)
	}
	assertDelivered(t, sink, "a@example.it")
}

// A stream over implicit TLS pipelines as over a plain connection, and one
// over STARTTLS sends one message at a time: both deliver every message,
// each outcome with its message.
func TestStreamOverTLS(t *testing.T) {
	srvTLS, roots, err := smtpsink.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []TLSMode{TLSImplicit, TLSStartTLS} {
		t.Run(string(mode), func(t *testing.T) {
			sink := smtpsink.New(smtpsink.Options{TLSConfig: srvTLS, ImplicitTLS: mode == TLSImplicit})
			if err := sink.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			cfg := sinkConfig(t, sink)
			cfg.TLS, cfg.TLSConfig = mode, &tls.Config{RootCAs: roots}
			x := newStreamed(t, newSender(t, cfg))
			if mode == TLSImplicit {
				x.send("a@example.it")
				x.send("b@example.it", "a@example.it")
				x.flush("b@example.it")
			} else {
				x.send("a@example.it", "a@example.it")
				x.send("b@example.it", "b@example.it")
				x.flush()
			}
			for _, to := range []string{"a@example.it", "b@example.it"} {
				if err := x.outcome(to); err != nil {
					t.Errorf("%s: %v", to, err)
				}
			}
			assertDelivered(t, sink, "a@example.it", "b@example.it")
		})
	}
}
