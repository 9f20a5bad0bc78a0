package mailout

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basis-crm/basis/internal/smtpsink"
)

const waitLimit = 10 * time.Second // safety net against a hung test, not an assertion

// sinkConfig points a sender at sink without TLS.
func sinkConfig(t testing.TB, sink *smtpsink.Server) SMTPConfig {
	t.Helper()
	host, port, err := net.SplitHostPort(sink.Addr())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return SMTPConfig{Host: host, Port: p, TLS: TLSNone, Concurrency: 1, Timeout: waitLimit}
}

func newSender(t testing.TB, cfg SMTPConfig) *Sender {
	t.Helper()
	s, err := NewSender(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// mustSend sends a freshly composed message to to and returns its bytes.
func mustSend(t testing.TB, s *Sender, to string) []byte {
	t.Helper()
	d := testDraft()
	d.To = to
	c := mustCompose(t, d)
	if err := s.Send(t.Context(), c.EnvelopeFrom, to, c.Raw); err != nil {
		t.Fatalf("send to %s: %v", to, err)
	}
	return c.Raw
}

// sendErr sends one message to to and returns the *SendError it failed with.
func sendErr(t *testing.T, s *Sender, to string) *SendError {
	t.Helper()
	c := mustCompose(t, testDraft())
	err := s.Send(t.Context(), c.EnvelopeFrom, to, c.Raw)
	var se *SendError
	if !errors.As(err, &se) {
		t.Fatalf("send to %s: got %v, want a *SendError", to, err)
	}
	return se
}

func TestSendArrivesByteIdentical(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSender(t, sinkConfig(t, sink))
	signer, err := NewDKIMSigner("acme-srl.it", "sel1", testEd25519Key(t))
	if err != nil {
		t.Fatal(err)
	}
	d := testDraft()
	d.Text = ".starts with a dot\n..two dots\nline\n.\nend" // dot-stuffing must be undone
	c := mustCompose(t, d)
	signed, err := signer.Sign(c.Raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range [][]byte{c.Raw, signed} {
		if err := s.Send(t.Context(), c.EnvelopeFrom, d.To, raw); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := sink.WaitFor(2, waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]byte{c.Raw, signed} {
		if !bytes.Equal(msgs[i].Raw, want) {
			t.Errorf("message %d differs from what was sent:\n%q\nwant\n%q", i, msgs[i].Raw, want)
		}
		if msgs[i].From != c.EnvelopeFrom || msgs[i].To[0] != d.To || msgs[i].MessageID != c.MessageID {
			t.Errorf("message %d envelope %s -> %v, id %s", i, msgs[i].From, msgs[i].To, msgs[i].MessageID)
		}
	}
}

func TestSendReusesConnection(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSender(t, sinkConfig(t, sink))
	for i := range 20 {
		mustSend(t, s, fmt.Sprintf("r%d@example.it", i))
	}
	if n := sink.Connections(); n != 1 {
		t.Errorf("20 messages used %d connections, want 1", n)
	}
}

func TestSendConcurrentlyOverAtMostConcurrencyConnections(t *testing.T) {
	sink := smtpsink.Start(t)
	cfg := sinkConfig(t, sink)
	cfg.Concurrency = 4
	s := newSender(t, cfg)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 25 {
				mustSend(t, s, fmt.Sprintf("w%d-%d@example.it", w, i))
			}
		})
	}
	wg.Wait()
	if n := sink.Count(); n != 400 {
		t.Errorf("sink got %d messages, want 400", n)
	}
	if n := sink.Connections(); n > 4 {
		t.Errorf("%d connections, want at most 4", n)
	}
	seen := map[string]bool{}
	for _, m := range sink.Messages() {
		if seen[m.MessageID] {
			t.Errorf("Message-ID %s arrived twice", m.MessageID)
		}
		seen[m.MessageID] = true
	}
}

func TestSendReconnectsAfterServerHangsUp(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSender(t, sinkConfig(t, sink))
	mustSend(t, s, "a@example.it")
	sink.HangUp()
	mustSend(t, s, "b@example.it") // no error: the stale connection is replaced
	if n := sink.Connections(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func TestSendClassifiesServerReplies(t *testing.T) {
	cases := []struct {
		name         string
		setup        func(*smtpsink.Server)
		temporary    bool
		rcptRejected bool
		code         int
		enhanced     string
	}{
		{"421 closes", func(k *smtpsink.Server) { k.FailNext(421, "4.3.2", "shutting down", 1) }, true, false, 421, "4.3.2"},
		{"451 after data", func(k *smtpsink.Server) { k.FailNext(451, "4.3.0", "local error", 1) }, true, false, 451, "4.3.0"},
		{"451 greylisting at rcpt", func(k *smtpsink.Server) { k.RejectRecipient("x@example.it", 451, "4.7.1", "greylisted", 1) }, true, false, 451, "4.7.1"},
		{"550 5.1.1 unknown user", func(k *smtpsink.Server) { k.RejectRecipient("x@example.it", 550, "5.1.1", "no such user", 0) }, false, true, 550, "5.1.1"},
		{"553 bare", func(k *smtpsink.Server) { k.RejectRecipient("x@example.it", 553, "", "mailbox name not allowed", 0) }, false, true, 553, ""},
		{"550 5.7.1 policy at rcpt", func(k *smtpsink.Server) { k.RejectRecipient("x@example.it", 550, "5.7.1", "relay denied", 0) }, false, false, 550, "5.7.1"},
		{"554 content after data", func(k *smtpsink.Server) { k.FailNext(554, "5.6.0", "content rejected", 1) }, false, false, 554, "5.6.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := smtpsink.Start(t)
			s := newSender(t, sinkConfig(t, sink))
			tc.setup(sink)
			se := sendErr(t, s, "x@example.it")
			if se.Temporary != tc.temporary || se.RecipientRejected != tc.rcptRejected || se.Config ||
				se.Code != tc.code || se.Enhanced != tc.enhanced {
				t.Errorf("got %+v", se)
			}
			if !strings.Contains(se.Error(), "mailout: smtp "+sink.Addr()) {
				t.Errorf("error does not name the server: %v", se)
			}
			mustSend(t, s, "y@example.it") // the sender recovers for the next message
			if n := sink.Count(); n != 1 {
				t.Errorf("sink accepted %d messages, want 1", n)
			}
		})
	}
}

func TestSendDroppedDuringDataIsTemporary(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSender(t, sinkConfig(t, sink))
	sink.DropDuringData(1)
	se := sendErr(t, s, "x@example.it")
	if !se.Temporary || se.RecipientRejected || se.Code != 0 {
		t.Errorf("got %+v: %v", se, se)
	}
	mustSend(t, s, "y@example.it")
	if n := sink.Count(); n != 1 {
		t.Errorf("sink accepted %d messages, want 1", n)
	}
}

func TestSendAuthentication(t *testing.T) {
	sink := smtpsink.Start(t)
	sink.RequireAuth("basis", "s3cret")
	cfg := sinkConfig(t, sink)

	cfg.Username, cfg.Password = "basis", "wrong"
	se := sendErr(t, newSender(t, cfg), "x@example.it")
	want := "mailout: smtp " + sink.Addr() + ": authentication refused (check mailout.smtp.username and password)"
	if !se.Config || se.Temporary || !strings.HasPrefix(se.Error(), want) {
		t.Errorf("wrong password: %v (%+v), want %q", se, se, want)
	}

	cfg.Username, cfg.Password = "", ""
	se = sendErr(t, newSender(t, cfg), "x@example.it")
	if !se.Config || !strings.Contains(se.Error(), "requires authentication") {
		t.Errorf("no credentials: %v (%+v)", se, se)
	}

	cfg.Username, cfg.Password = "basis", "s3cret"
	mustSend(t, newSender(t, cfg), "x@example.it")
}

func TestSendServerDownIsTemporary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := newSender(t, SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone})
	se := sendErr(t, s, "x@example.it")
	if !se.Temporary || se.Config || !strings.Contains(se.Error(), "cannot connect (check mailout.smtp.host and port") {
		t.Errorf("got %v (%+v)", se, se)
	}
}

func TestSendOverTLS(t *testing.T) {
	srvTLS, roots, err := smtpsink.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []TLSMode{TLSStartTLS, TLSImplicit} {
		t.Run(string(mode), func(t *testing.T) {
			sink := smtpsink.New(smtpsink.Options{TLSConfig: srvTLS, ImplicitTLS: mode == TLSImplicit})
			if err := sink.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			sink.RequireAuth("basis", "s3cret")
			cfg := sinkConfig(t, sink)
			cfg.TLS, cfg.Username, cfg.Password = mode, "basis", "s3cret"
			cfg.TLSConfig = &tls.Config{RootCAs: roots}
			raw := mustSend(t, newSender(t, cfg), "x@example.it")
			if msgs := sink.Messages(); len(msgs) != 1 || !bytes.Equal(msgs[0].Raw, raw) {
				t.Errorf("sink got %d messages", len(msgs))
			}

			cfg.TLSConfig = nil // the system roots do not trust the sink
			if se := sendErr(t, newSender(t, cfg), "x@example.it"); !se.Config || se.Temporary {
				t.Errorf("untrusted certificate: %v (%+v)", se, se)
			}
		})
	}
}

func TestSendStartTLSRefusedWhenServerLacksIt(t *testing.T) {
	sink := smtpsink.Start(t)
	cfg := sinkConfig(t, sink)
	cfg.TLS = TLSStartTLS
	se := sendErr(t, newSender(t, cfg), "x@example.it")
	if !se.Config || se.Temporary || !strings.Contains(se.Error(), "mailout.smtp.tls") {
		t.Errorf("got %v (%+v)", se, se)
	}
	if sink.Count() != 0 {
		t.Error("a message went out in clear text")
	}
}

func TestSMTPConfigRefusesBadSettings(t *testing.T) {
	ok := SMTPConfig{Host: "smtp.example.com", Port: 587, TLS: TLSStartTLS}
	cases := []struct {
		mod  func(*SMTPConfig)
		want string
	}{
		{func(c *SMTPConfig) { c.TLS = TLSNone }, `mailout.smtp.tls: "none" is only allowed for a loopback host, not "smtp.example.com"`},
		{func(c *SMTPConfig) { c.TLS = "ssl" }, `mailout.smtp.tls: "ssl" is not one of implicit, starttls, none`},
		{func(c *SMTPConfig) { c.Host = "" }, "mailout.smtp.host is empty"},
		{func(c *SMTPConfig) { c.Port = 0 }, "mailout.smtp.port"},
		{func(c *SMTPConfig) { c.Password = "x" }, "mailout.smtp.username is empty"},
		{func(c *SMTPConfig) { c.RatePerSecond = -1 }, "mailout.rate_per_second"},
	}
	for _, tc := range cases {
		cfg := ok
		tc.mod(&cfg)
		_, err := NewSender(cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		if err := (SMTPConfig{Host: host, Port: 25, TLS: TLSNone}).Validate(); err != nil {
			t.Errorf("tls none to %s: %v", host, err)
		}
	}
}

func TestSendStopsWhenContextEnds(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSender(t, sinkConfig(t, sink))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c := mustCompose(t, testDraft())
	if err := s.Send(ctx, c.EnvelopeFrom, "x@example.it", c.Raw); !errors.Is(err, errNotSent) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want errNotSent for the cancelled context", err)
	}
	mustSend(t, s, "y@example.it")
}

func TestSendAfterCloseFails(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSender(t, sinkConfig(t, sink))
	mustSend(t, s, "a@example.it")
	s.Close()
	c := mustCompose(t, testDraft())
	if err := s.Send(t.Context(), c.EnvelopeFrom, "b@example.it", c.Raw); !errors.Is(err, ErrSenderClosed) {
		t.Fatalf("got %v, want ErrSenderClosed", err)
	}
}
