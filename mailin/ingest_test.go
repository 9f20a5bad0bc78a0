package mailin_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/imaptest"
	"github.com/basis-crm/basis/internal/pgtest"
	"github.com/basis-crm/basis/mailin"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

type ingestEnv struct {
	t     *testing.T
	srv   *imaptest.Server
	db    *sqlx.DB
	store *crm.Store
	in    *mailin.Ingester
	acct  mailin.Account
}

func newIngestEnv(t *testing.T) *ingestEnv {
	db := pgtest.New(t)
	store := crm.NewStore(db, []byte("ingest-test-secret-0123456789abcdef"), crm.Policy{
		Purposes:                 map[string][]string{"inquiry_followup": {"legitimate_interest"}, "marketing": {"consent"}},
		LegitimateInterestMonths: 24,
	}, nil)
	srv := imaptest.Start(t, "inbox@acme-srl.it", "secret")
	return &ingestEnv{t: t, srv: srv, db: db, store: store,
		in: &mailin.Ingester{Store: store, Classifier: mailin.Classifier{StaffDomains: []string{"acme-srl.it"},
			UnsubscribeMailto: "unsubscribe@acme-srl.it"}, Log: discardLog(), Batch: 4},
		acct: mailin.Account{Name: "shared", Host: srv.Host(), Port: srv.Port(), TLS: "none", Username: "inbox@acme-srl.it",
			Password: "secret", Mailbox: "INBOX", After: "flag"},
	}
}

func (e *ingestEnv) appendFixture(name string) []byte {
	e.t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv.Append(e.t, "INBOX", raw)
	return raw
}

func (e *ingestEnv) ingest() mailin.Summary {
	e.t.Helper()
	c, err := mailin.Dial(ctx, e.acct, discardLog())
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	sum, err := e.in.IngestOnce(ctx, c)
	if err != nil {
		e.t.Fatal(err)
	}
	return sum
}

func (e *ingestEnv) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Get(&n, q, args...); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestIngestTurnsInboxIntoProspectsWithEvidence(t *testing.T) {
	e := newIngestEnv(t)
	fixtures := []string{"inquiry_it.eml", "inquiry_en.eml", "fwd_gmail_it.eml", "fwd_attached.eml", "dsn.eml", "ooo_it.eml",
		"newsletter.eml", "spam.eml", "missing_from.eml", "broken_boundary.eml", "unknown_charset.eml", "staff_plain.eml"}
	raws := map[string][]byte{}
	for _, f := range fixtures {
		raws[f] = e.appendFixture(f)
	}
	sum := e.ingest()
	if sum.Fetched != len(fixtures) || sum.Errors != 0 {
		t.Fatalf("summary %+v, want %d fetched and no errors", sum, len(fixtures))
	}
	if sum.Forwarded != 2 || sum.Bounces != 1 || sum.AutoReplies != 1 || sum.Lists != 1 || sum.Review < 2 {
		t.Errorf("summary %+v", sum)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages`); n != len(fixtures) {
		t.Errorf("%d messages stored, want %d: nothing inbound may be lost", n, len(fixtures))
	}
	// The forwarded inquiry's prospect is the original sender, with the forward as evidence.
	d, err := e.store.Detail(ctx, "l.verdi@verdi-costruzioni.it")
	if err != nil {
		t.Fatalf("forwarded sender not captured: %v", err)
	}
	// Both forward fixtures carry the same person's inquiry: one contact, one basis per inquiry.
	if d.Name != "Luca Verdi" || d.Source != "forwarded_email" || len(d.Bases) != 2 || d.Bases[0].Kind != "legitimate_interest" {
		t.Errorf("forwarded prospect: %+v", d.Contact)
	}
	want := sha256.Sum256(raws["fwd_gmail_it.eml"])
	var basis crm.Basis
	for _, b := range d.Bases {
		if b.EvidenceSHA256 == hex.EncodeToString(want[:]) {
			basis = b
		}
	}
	if basis.EvidenceID == nil {
		t.Fatalf("no basis has the raw forwarding message %x as evidence", want)
	}
	_, content, err := e.store.EvidenceContent(ctx, e.db, *basis.EvidenceID)
	if err != nil || string(content) != string(raws["fwd_gmail_it.eml"]) {
		t.Errorf("stored evidence is not byte for byte the message (%v)", err)
	}
	if !d.Eligibility["inquiry_followup"].Allowed {
		t.Errorf("prospect may not be followed up: %+v", d.Eligibility)
	}
	// The hard bounce suppresses the address for all mail; the soft one does not.
	if s, _ := e.store.IsSuppressed(ctx, e.db, "nobody@example-ditta.it", "inquiry_followup"); !s {
		t.Error("hard-bounced address not suppressed")
	}
	if s, _ := e.store.IsSuppressed(ctx, e.db, "full@example-ditta.it", "inquiry_followup"); s {
		t.Error("soft-bounced (4.x.x) address suppressed")
	}
	// No prospects from staff, list, bounce, auto-reply or spam mail.
	for _, addr := range []string{"mailer-daemon@mx.acme-srl.it", "giulia.bianchi@acme-srl.it"} {
		if _, err := e.store.FindContact(ctx, e.db, addr); err == nil {
			t.Errorf("%s became a contact", addr)
		}
	}
	if res, _ := e.store.VerifyAudit(ctx); !res.OK {
		t.Errorf("audit chain: %+v", res)
	}
}

func TestIngestNeverStoresTwice(t *testing.T) {
	e := newIngestEnv(t)
	for _, f := range []string{"inquiry_it.eml", "inquiry_en.eml", "fwd_outlook_it.eml"} {
		e.appendFixture(f)
	}
	first := e.ingest()
	contacts := e.count(`SELECT count(*) FROM contacts`)
	if again := e.ingest(); again.Fetched != 0 {
		t.Errorf("second run fetched %d, want 0", again.Fetched)
	}
	e.srv.MustResetUIDValidity(t, "INBOX")
	rescan := e.ingest()
	if rescan.Fetched != first.Fetched || rescan.Duplicates != first.Fetched || rescan.Prospects != 0 {
		t.Errorf("rescan after UIDVALIDITY change: %+v (first run %+v)", rescan, first)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages`); n != first.Fetched {
		t.Errorf("%d stored messages after a rescan, want %d", n, first.Fetched)
	}
	if n := e.count(`SELECT count(*) FROM contacts`); n != contacts || contacts == 0 {
		t.Errorf("%d contacts after a rescan, want %d", n, contacts)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestReplyFromKnownContactIsAnActivity(t *testing.T) {
	e := newIngestEnv(t)
	e.appendFixture("inquiry_it.eml")
	e.ingest()
	contacts := e.count(`SELECT count(*) FROM contacts`)
	raw := []byte("From: " + firstFrom(t, "inquiry_it.eml") + "\r\nTo: info@acme-srl.it\r\nSubject: Re: preventivo\r\n" +
		"Message-ID: <reply-1@example.it>\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\nGrazie, confermo.\r\n")
	e.srv.Append(t, "INBOX", raw)
	if sum := e.ingest(); sum.Replies != 1 || sum.Prospects != 0 {
		t.Errorf("reply: %+v", sum)
	}
	if n := e.count(`SELECT count(*) FROM contacts`); n != contacts {
		t.Errorf("a reply made a second contact")
	}
	if n := e.count(`SELECT count(*) FROM activities WHERE kind = 'reply'`); n != 1 {
		t.Errorf("%d reply activities, want 1", n)
	}
}

func TestErasedSenderComesBackOnlyWithNewMail(t *testing.T) {
	e := newIngestEnv(t)
	from := "Paolo Neri <paolo.neri@neri-srl.it>"
	msg := func(id string, date time.Time) []byte {
		return []byte("From: " + from + "\r\nTo: info@acme-srl.it\r\nSubject: Richiesta\r\nMessage-ID: <" + id + "@neri-srl.it>\r\nDate: " +
			date.Format(time.RFC1123Z) + "\r\n\r\nVorrei informazioni.\r\n")
	}
	e.srv.Append(t, "INBOX", msg("a", time.Now().Add(-48*time.Hour)))
	e.ingest()
	if _, err := e.store.Erase(ctx, crm.ErasureInput{Email: "paolo.neri@neri-srl.it", Reason: "Art. 17", Actor: "user:dpo"}); err != nil {
		t.Fatal(err)
	}
	e.srv.Append(t, "INBOX", msg("b", time.Now().Add(-24*time.Hour))) // old mail, e.g. found in another folder
	if sum := e.ingest(); sum.Prospects != 0 || sum.Review != 1 {
		t.Errorf("old mail from an erased sender: %+v", sum)
	}
	if _, err := e.store.FindContact(ctx, e.db, "paolo.neri@neri-srl.it"); err == nil {
		t.Fatal("old mail brought an erased contact back")
	}
	time.Sleep(1100 * time.Millisecond) // RFC 1123 dates have second resolution
	e.srv.Append(t, "INBOX", msg("c", time.Now().Add(time.Second)))
	if sum := e.ingest(); sum.Prospects != 1 {
		t.Errorf("new inquiry after erasure: %+v", sum)
	}
	c, err := e.store.FindContact(ctx, e.db, "paolo.neri@neri-srl.it")
	if err != nil || !c.PreviouslyErased {
		t.Errorf("new prospect after erasure: %+v, %v", c, err)
	}
}

func firstFrom(t *testing.T, fixture string) string {
	raw, err := os.ReadFile(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	m := mailin.Parse(raw)
	if m.From == nil {
		t.Fatalf("%s has no From", fixture)
	}
	return m.From.Address
}

func TestWrongCredentialsNameTheAccount(t *testing.T) {
	e := newIngestEnv(t)
	e.acct.Password = "wrong"
	_, err := mailin.Dial(ctx, e.acct, discardLog())
	if err == nil || !strings.Contains(err.Error(), `account "shared"`) || !strings.Contains(err.Error(), "password") {
		t.Fatalf("got %v, want an error naming the account and the setting", err)
	}
}

func TestIngestOnceRefusesAnAccountBeingPolled(t *testing.T) {
	e := newIngestEnv(t)
	e.appendFixture("inquiry_it.eml")
	pollCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&mailin.Poller{Ingester: e.in, Account: e.acct, PollInterval: time.Hour}).Run(pollCtx)
	}()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(30 * time.Second)
	for e.count(`SELECT count(*) FROM inbound_messages`) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	_, err := e.in.IngestAccount(ctx, e.acct)
	if !errors.Is(err, mailin.ErrAccountBusy) || !strings.Contains(err.Error(), `account "shared"`) {
		t.Fatalf("ingest beside a running poller: got %v, want ErrAccountBusy naming the account", err)
	}
}

func TestReplyToMailWeSentIsAnActivityEvenFromAnotherAddress(t *testing.T) {
	e := newIngestEnv(t)
	e.appendFixture("inquiry_it.eml")
	e.ingest()
	var contactID int64
	if err := e.db.Get(&contactID, `SELECT id FROM contacts LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(`INSERT INTO outbox (contact_id, kind, purpose, status, message_id)
		VALUES ($1, 'notice', 'inquiry_followup', 'sent', '<notice-1@acme-srl.it>')`, contactID); err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: Someone Else <other.address@example.org>\r\nTo: info@acme-srl.it\r\nSubject: Re: informativa\r\n" +
		"In-Reply-To: <notice-1@acme-srl.it>\r\nMessage-ID: <r2@example.org>\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\nGrazie.\r\n")
	e.srv.Append(t, "INBOX", raw)
	if sum := e.ingest(); sum.Replies != 1 || sum.Prospects != 0 {
		t.Errorf("reply to a notice we sent: %+v", sum)
	}
	if n := e.count(`SELECT count(*) FROM activities WHERE kind = 'reply' AND contact_id = $1`, contactID); n != 1 {
		t.Errorf("%d reply activities on the contact we wrote to, want 1", n)
	}
}
