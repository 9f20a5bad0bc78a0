package mailin_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/dovecot"
	"github.com/basis-crm/basis/internal/pgtest"
	"github.com/basis-crm/basis/mailin"
)

// End-to-end tests of the ingest pipeline against a real Dovecot on
// loopback and a real PostgreSQL: pollers, IDLE, restarts, UIDVALIDITY
// changes, move:FOLDER and the advisory lock.

// dovecotIngest is a Dovecot, a database and an Ingester wired together.
type dovecotIngest struct {
	t    *testing.T
	d    *dovecot.Dovecot
	url  string
	db   *sqlx.DB
	in   *mailin.Ingester
	acct mailin.Account
}

func newDovecotIngest(t *testing.T, after string) *dovecotIngest {
	t.Helper()
	d := dovecot.Start(t)
	url, db := pgtest.NewURL(t)
	acct := dovecotAccount(d)
	acct.After = after
	return &dovecotIngest{t: t, d: d, url: url, db: db, acct: acct, in: ingesterFor(db, discardLog())}
}

// ingesterFor returns an Ingester on db with the test organization's settings.
func ingesterFor(db *sqlx.DB, log *slog.Logger) *mailin.Ingester {
	store := crm.NewStore(db, []byte("ingest-test-secret-0123456789abcdef"), crm.Policy{
		Purposes:                 map[string][]string{"inquiry_followup": {"legitimate_interest"}, "marketing": {"consent"}},
		LegitimateInterestMonths: 24,
	}, nil)
	return &mailin.Ingester{Store: store, Classifier: mailin.Classifier{StaffDomains: []string{"acme-srl.it"}},
		Log: log, Batch: 10}
}

// runPoller runs a Poller in the background until the test ends; an hour
// between polls, so anything picked up meanwhile came from IDLE.
func (e *dovecotIngest) runPoller(in *mailin.Ingester) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	p := &mailin.Poller{Ingester: in, Account: e.acct, PollInterval: time.Hour}
	go func() { defer close(done); p.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

func (e *dovecotIngest) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Get(&n, q, args...); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// waitStored waits until n messages are stored, or fails after a generous deadline.
func (e *dovecotIngest) waitStored(n int) {
	e.t.Helper()
	waitUntil(e.t, fmt.Sprintf("%d messages stored", n), func() bool {
		return e.count(`SELECT count(*) FROM inbound_messages`) >= n
	})
}

// waitUntil checks cond until it holds; the deadline only catches a hang.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inquiryFrom is a new inquiry from addr with a unique Message-ID.
func inquiryFrom(name, addr, id string) []byte {
	return []byte("From: " + name + " <" + addr + ">\r\nTo: info@acme-srl.it\r\nSubject: Richiesta preventivo\r\n" +
		"Message-ID: <" + id + "@example.it>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0100\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nBuongiorno, vorrei un preventivo.\r\n")
}

func TestDovecotPollerCapturesInquiryOnIdleWakeUp(t *testing.T) {
	e := newDovecotIngest(t, mailin.AfterFlag)
	if !mustDial(t, e.acct).CanIdle() {
		t.Fatal("Dovecot does not advertise IDLE")
	}
	e.d.Deliver(t, "INBOX", inquiryFrom("Anna Colombo", "anna.colombo@colombo-srl.it", "first"))
	e.runPoller(e.in)
	e.waitStored(1) // the first pass; the poller now waits in IDLE, for an hour at most

	e.d.Deliver(t, "INBOX", inquiryFrom("Marco Ricci", "marco.ricci@ricci-impianti.it", "second"))
	e.waitStored(2)
	c, err := e.in.Store.FindContact(ctx, e.db, "marco.ricci@ricci-impianti.it")
	if err != nil || c.Name != "Marco Ricci" || c.Status != "new" {
		t.Fatalf("delivered inquiry is not a prospect: %+v, %v", c, err)
	}
	if n := e.count(`SELECT count(*) FROM bases WHERE contact_id = $1 AND kind = 'legitimate_interest'`, c.ID); n != 1 {
		t.Errorf("prospect has %d legitimate-interest bases, want 1", n)
	}
}

func TestDovecotPollerReconnectsAfterRestart(t *testing.T) {
	e := newDovecotIngest(t, mailin.AfterFlag)
	e.runPoller(e.in)
	e.d.Deliver(t, "INBOX", inquiryFrom("Anna Colombo", "anna.colombo@colombo-srl.it", "before"))
	e.waitStored(1)

	e.d.Restart(t)
	e.d.Deliver(t, "INBOX", inquiryFrom("Marco Ricci", "marco.ricci@ricci-impianti.it", "after"))
	e.waitStored(2)
	e.d.Deliver(t, "INBOX", inquiryFrom("Sara Greco", "sara.greco@greco-design.it", "later"))
	e.waitStored(3)
	if n := e.count(`SELECT count(*) FROM contacts`); n != 3 {
		t.Errorf("%d contacts, want 3", n)
	}
}

func TestDovecotUIDValidityChangeRecognisesStoredMail(t *testing.T) {
	e := newDovecotIngest(t, mailin.AfterFlag)
	e.appendFixtures("inquiry_it.eml", "inquiry_en.eml", "fwd_gmail_it.eml", "fwd_attached.eml")
	e.runPoller(e.in)
	e.waitStored(4)
	contacts := e.count(`SELECT count(*) FROM contacts`)
	old := e.d.Status(t, "INBOX").UIDValidity

	validity := e.d.ResetUIDValidity(t, "INBOX")
	if validity == old {
		t.Fatalf("UIDVALIDITY unchanged (%d)", old)
	}
	// A poller idling on the mailbox learns of the change with the next
	// delivery (Dovecot disconnects it, or the re-SELECT shows it), then
	// rescans the whole mailbox under the new UIDVALIDITY.
	e.d.Deliver(t, "INBOX", inquiryFrom("Sara Greco", "sara.greco@greco-design.it", "after-reset"))
	waitUntil(t, "the rescan's checkpoint", func() bool {
		return e.count(`SELECT count(*) FROM mailbox_checkpoints WHERE uidvalidity = $1 AND last_uid >= 5`, int64(validity)) == 1
	})
	if n := e.count(`SELECT count(*) FROM inbound_messages`); n != 5 {
		t.Errorf("%d stored messages after the rescan, want 5 (4 recognised, 1 new)", n)
	}
	if n := e.count(`SELECT count(*) FROM evidence`); n != 5 {
		t.Errorf("%d evidence rows after the rescan, want 5", n)
	}
	if n := e.count(`SELECT count(*) FROM contacts`); n != contacts+1 || contacts != 3 {
		t.Errorf("%d contacts after the rescan, want %d (4 people wrote)", n, 4)
	}
	if n := e.count(`SELECT count(*) FROM bases`); n != 5 {
		t.Errorf("%d bases after the rescan, want 5 (one per inquiry)", n)
	}
}

func (e *dovecotIngest) appendFixtures(names ...string) {
	e.t.Helper()
	for _, name := range names {
		raw, err := readFixture(name)
		if err != nil {
			e.t.Fatal(err)
		}
		e.d.Deliver(e.t, "INBOX", raw)
	}
}

func readFixture(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}

func TestDovecotAfterMoveMovesProcessedMail(t *testing.T) {
	e := newDovecotIngest(t, "move:Processed")
	const n = 25 // several batches of 10: moves happen between the fetches of one run
	for i := range n {
		e.d.Deliver(t, "INBOX", inquiry(i, 2000))
	}
	e.ingestOnce()
	if st := e.d.Status(t, "INBOX"); *st.NumMessages != 0 {
		t.Errorf("INBOX holds %d messages after ingest, want 0", *st.NumMessages)
	}
	if st := e.d.Status(t, "Processed"); *st.NumMessages != n {
		t.Errorf("Processed holds %d messages, want %d", *st.NumMessages, n)
	}
	e.d.Deliver(t, "INBOX", inquiry(n, 2000))
	if sum := e.ingestOnce(); sum.Fetched != 1 || sum.Prospects != 1 {
		t.Errorf("second run: %+v, want the new message only", sum)
	}
	if got := e.count(`SELECT count(*) FROM inbound_messages`); got != n+1 {
		t.Errorf("%d stored messages, want %d", got, n+1)
	}
	if st := e.d.Status(t, "Processed"); *st.NumMessages != n+1 {
		t.Errorf("Processed holds %d messages, want %d", *st.NumMessages, n+1)
	}
}

func (e *dovecotIngest) ingestOnce() mailin.Summary {
	e.t.Helper()
	c := mustDial(e.t, e.acct)
	sum, err := e.in.IngestOnce(testCtx(e.t), c)
	if err != nil {
		e.t.Fatal(err)
	}
	return sum
}

func TestDovecotTwoPollersOneAccountPollOnce(t *testing.T) {
	e := newDovecotIngest(t, mailin.AfterNone) // after: none leaves every message for the second poller to see
	var logs [2]*recordingHandler
	var ins [2]*mailin.Ingester
	for i := range ins {
		db, err := sqlx.Open("postgres", e.url) // a second process would have its own pool
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		logs[i] = &recordingHandler{}
		ins[i] = ingesterFor(db, slog.New(logs[i]))
	}
	for i := range 20 {
		e.d.Deliver(t, "INBOX", inquiry(i, 1500))
	}
	e.runPoller(ins[0])
	e.runPoller(ins[1])
	e.waitStored(20)
	for i := 20; i < 30; i++ {
		e.d.Deliver(t, "INBOX", inquiry(i, 1500))
	}
	e.waitStored(30)
	waitUntil(t, "the second poller to find the lock taken", func() bool {
		return logs[0].has("another process polls this account") || logs[1].has("another process polls this account")
	})
	polled := 0
	for _, l := range logs {
		if l.has("mail ingested") {
			polled++
		}
	}
	if polled != 1 {
		t.Errorf("%d pollers ingested mail, want exactly 1", polled)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages`); n != 30 {
		t.Errorf("%d stored messages, want 30", n)
	}
	if n := e.count(`SELECT count(DISTINCT sha256) FROM inbound_messages`); n != 30 {
		t.Errorf("%d distinct stored messages, want 30", n)
	}
	if n := e.count(`SELECT count(*) FROM contacts`); n != 30 {
		t.Errorf("%d contacts, want 30", n)
	}
}

// recordingHandler keeps the messages logged through it, at every level.
type recordingHandler struct {
	mu   sync.Mutex
	msgs []string
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, r.Message)
	return nil
}
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler      { return h }

func (h *recordingHandler) has(s string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.msgs {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

func TestDovecotLargeMessagesAreStoredBeforeTheBatchFills(t *testing.T) {
	e := newDovecotIngest(t, "move:Processed")
	const n = 5 // 5 × 6 MB: stored in more than one transaction within one FETCH of 10
	for i := range n {
		e.d.Deliver(t, "INBOX", inquiry(i, 6<<20))
	}
	if sum := e.ingestOnce(); sum.Fetched != n || sum.Prospects != n {
		t.Errorf("summary %+v, want %d prospects", sum, n)
	}
	if got := e.count(`SELECT count(DISTINCT xmin::text) FROM inbound_messages`); got < 2 {
		t.Errorf("all %d large messages were stored in one transaction; want batches bounded by size", n)
	}
	if st := e.d.Status(t, "Processed"); *st.NumMessages != n {
		t.Errorf("Processed holds %d messages, want %d", *st.NumMessages, n)
	}
	if st := e.d.Status(t, "INBOX"); *st.NumMessages != 0 {
		t.Errorf("INBOX holds %d messages, want 0", *st.NumMessages)
	}
}
