package mailout_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/basis-crm/basis/internal/smtpsink"
	"github.com/basis-crm/basis/mailout"
)

// row is one outbox message as the bad-input tests look at it.
type row struct {
	Status    string `db:"status"`
	Attempts  int    `db:"attempts"`
	LastError string `db:"last_error"`
}

// notice returns the contact's privacy notice row.
func (e *outboxEnv) notice(t *testing.T, contactID int64) row {
	t.Helper()
	var r row
	const q = `SELECT status, attempts, COALESCE(last_error, '') AS last_error FROM outbox WHERE contact_id = $1 AND kind = 'notice'`
	if err := e.db.Get(&r, q, contactID); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSMTPFailuresKeepTheMessageWithTheReason covers each way the SMTP
// server can misbehave: the message's row says what happened in words a
// person can act on, and the message is either still queued (and then
// delivered exactly once) or failed for good without reaching anyone.
func TestSMTPFailuresKeepTheMessageWithTheReason(t *testing.T) {
	cases := []struct {
		name    string
		breakIt func(e *outboxEnv, email string)
		status  string // after the bad pass
		want    []string
		retry   bool // the next pass delivers it
	}{
		{"server down", func(e *outboxEnv, _ string) { e.sink.Close() }, "queued",
			[]string{"cannot connect (check mailout.smtp.host and port, and that the server is up)", "; sent again after ", "(attempt 1 of 3)"}, true},
		{"421 closing", func(e *outboxEnv, _ string) { e.sink.FailNext(421, "4.3.2", "shutting down", 1) }, "queued",
			[]string{"421 4.3.2 shutting down", "; sent again after ", "(attempt 1 of 3)"}, true},
		{"451 greylisting", func(e *outboxEnv, email string) { e.sink.RejectRecipient(email, 451, "4.7.1", "greylisted", 1) }, "queued",
			[]string{"recipient " + "mario.rossi@example.it" + " refused: 451 4.7.1 greylisted", "; sent again after "}, true},
		{"drop mid-DATA", func(e *outboxEnv, _ string) { e.sink.DropDuringData(1) }, "queued",
			[]string{"connection lost while sending to mario.rossi@example.it", "; sent again after "}, true},
		{"554 content", func(e *outboxEnv, _ string) { e.sink.FailNext(554, "5.6.0", "content rejected", 1) }, "failed",
			[]string{"message to mario.rossi@example.it refused: 554 5.6.0 content rejected; not sent again"}, false},
		{"550 unknown user", func(e *outboxEnv, email string) { e.sink.RejectRecipient(email, 550, "5.1.1", "no such user", 0) }, "failed",
			[]string{"recipient mario.rossi@example.it refused: 550 5.1.1 no such user; not sent again, and the address is suppressed like a hard bounce"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newOutbox(t, nil)
			addr := e.sink.Addr()
			c := e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
			tc.breakIt(e, c.Email)
			e.runOnce(t)
			r := e.notice(t, c.ID)
			t.Logf("last_error: %s", r.LastError)
			if r.Status != tc.status {
				t.Fatalf("status %q, want %q (%s)", r.Status, tc.status, r.LastError)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.LastError, w) {
					t.Errorf("last_error %q, want it to contain %q", r.LastError, w)
				}
			}
			if !strings.Contains(r.LastError, "mailout: smtp "+addr) {
				t.Errorf("last_error %q does not name the server %s", r.LastError, addr)
			}
			sink := e.sink
			if tc.name == "server down" {
				sink = smtpsink.New(smtpsink.Options{})
				if err := sink.Listen(addr); err != nil {
					t.Fatal(err)
				}
				defer sink.Close()
			}
			if n := len(to(sink.Messages(), c.Email)); n != 0 {
				t.Fatalf("%d messages accepted by the failing server", n)
			}
			got := e.runOnce(t)
			want := 0
			if tc.retry {
				want = 1
			}
			if n := len(to(sink.Messages(), c.Email)); n != want || got.Sent != want {
				t.Fatalf("next pass %+v, sink has %d messages for %s; want %d", got, n, c.Email, want)
			}
		})
	}
}

// TestSMTPLoginRefusedKeepsEverythingQueued: a wrong password is a
// configuration error; the run stops at once, says which settings to
// check, and the message keeps its attempts for when they are fixed.
func TestSMTPLoginRefusedKeepsEverythingQueued(t *testing.T) {
	var cfg mailout.Config
	e := newOutbox(t, func(c *mailout.Config) {
		c.SMTP.Username, c.SMTP.Password = "basis", "wrong"
		cfg = *c
	})
	e.sink.RequireAuth("basis", "s3cret")
	mario := e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	anna := e.capture(t, "anna.bianchi@example.it", "Anna Bianchi", "it")

	_, err := e.m.RunOnce(ctx)
	if !errors.Is(err, mailout.ErrConfig) {
		t.Fatalf("got %v, want ErrConfig", err)
	}
	t.Logf("error: %v", err)
	for _, w := range []string{"nothing was lost, messages stay queued", "authentication refused (check mailout.smtp.username and password)"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q, want it to contain %q", err, w)
		}
	}
	for _, c := range []int64{mario.ID, anna.ID} {
		if r := e.notice(t, c); r.Status != "queued" || r.Attempts != 0 {
			t.Errorf("contact %d: %+v, want queued with no attempt counted", c, r)
		}
	}
	if e.sink.Count() != 0 {
		t.Fatalf("the sink accepted %d messages without a login", e.sink.Count())
	}

	cfg.SMTP.Password = "s3cret" // the person fixes mailout.smtp.password
	fixed, err := mailout.New(e.store, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fixed.Close()
	if got, err := fixed.RunOnce(ctx); err != nil || got.Sent != 2 {
		t.Fatalf("after the fix: %+v %v, want 2 sent", got, err)
	}
}
