package mailin_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/bench/ingest/mailgen"
	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/mailin"
)

// directMail is a direct message from name <addr>.
func directMail(name, addr, msgID, inReplyTo, subject string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s <%s>\r\nTo: info@acme-srl.it\r\nSubject: %s\r\nDate: Mon, 02 Mar 2026 09:00:00 +0000\r\n", name, addr, subject)
	fmt.Fprintf(&b, "Message-ID: <%s>\r\n", msgID)
	if inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\n", inReplyTo)
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\nBuongiorno, vorrei un preventivo per serramenti.\r\n")
	return []byte(b.String())
}

// inlineForward is name <addr>'s inquiry forwarded inline by a staff member, with
// a phone number in the signature.
func inlineForward(name, addr, msgID string) []byte {
	var b strings.Builder
	b.WriteString("From: Giulia Bianchi <giulia.bianchi@acme-srl.it>\r\nTo: crm@acme-srl.it\r\nSubject: Fwd: Preventivo\r\n")
	fmt.Fprintf(&b, "Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <%s>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n", msgID)
	b.WriteString("Vi giro questa richiesta.\r\n\r\n---------- Forwarded message ---------\r\n")
	fmt.Fprintf(&b, "Da: %s <%s>\r\nDate: lun 2 mar 2026 alle ore 08:30\r\nSubject: Preventivo\r\nTo: <giulia.bianchi@acme-srl.it>\r\n\r\n\r\n", name, addr)
	fmt.Fprintf(&b, "Buongiorno, vorrei un preventivo.\r\n\r\n%s\r\nCellulare: 333 1234567\r\n", name)
	return []byte(b.String())
}

// TestOneBatchKeepsOneContactPerSender puts, in one batch, a sender twice,
// a forward and then a direct mail of the same person, a direct mail and
// then a forward of another, and a reply from another address to a message
// of a contact created earlier in the batch.
func TestOneBatchKeepsOneContactPerSender(t *testing.T) {
	e := newIngestEnv(t)
	e.in.Batch = 50
	noFallback(t, e.in)
	for _, raw := range [][]byte{
		directMail("Anna Neri", "anna.neri@studio-neri.it", "a1@example.org", "", "Preventivo"),
		directMail("Anna Neri", "Anna.Neri@studio-neri.it", "a2@example.org", "", "Ancora io"),
		inlineForward("Bruno Blu", "bruno.blu@example.org", "f1@acme-srl.it"),
		directMail("Bruno Blu", "bruno.blu@example.org", "b1@example.org", "", "Preventivo"),
		directMail("Segreteria Neri", "segreteria@studio-neri.it", "s1@example.org", "a1@example.org", "Re: Preventivo"),
		directMail("", "dario.rosa@example.net", "d1@example.net", "", "Preventivo"),
		inlineForward("Dario Rosa", "dario.rosa@example.net", "f2@acme-srl.it"),
	} {
		e.srv.Append(t, "INBOX", raw)
	}
	sum := e.ingest()
	if sum.Fetched != 7 || sum.Prospects != 3 || sum.Forwarded != 2 || sum.Replies != 3 || sum.Review != 0 {
		t.Errorf("summary %+v, want 7 fetched, 3 prospects, 2 forwarded, 3 replies", sum)
	}
	if n := e.count(`SELECT count(*) FROM contacts`); n != 3 {
		t.Errorf("%d contacts, want 3 (one per person)", n)
	}
	for _, c := range []struct {
		addr, name, phone, source string
		bases, activities         int
	}{
		{"anna.neri@studio-neri.it", "Anna Neri", "", "inbound_email", 1, 2},
		{"bruno.blu@example.org", "Bruno Blu", "333 1234567", "forwarded_email", 1, 1},
		{"dario.rosa@example.net", "Dario Rosa", "333 1234567", "inbound_email", 2, 0}, // blanks filled by the forward
	} {
		d, err := e.store.Detail(ctx, c.addr)
		if err != nil {
			t.Errorf("%s: %v", c.addr, err)
			continue
		}
		if d.Name != c.name || d.Phone != c.phone || d.Source != c.source || len(d.Bases) != c.bases {
			t.Errorf("%s: name %q phone %q source %q, %d bases; want %q %q %q, %d", c.addr, d.Name, d.Phone, d.Source, len(d.Bases),
				c.name, c.phone, c.source, c.bases)
		}
		if n := e.count(`SELECT count(*) FROM activities a JOIN contacts c ON c.id = a.contact_id WHERE c.email = $1 AND a.kind = 'reply'`, c.addr); n != c.activities {
			t.Errorf("%s: %d replies on the timeline, want %d", c.addr, n, c.activities)
		}
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages WHERE contact_id IS NULL`); n != 0 {
		t.Errorf("%d stored messages tied to no contact, want 0", n)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages m JOIN evidence e ON e.id = m.evidence_id
		WHERE e.contact_id IS DISTINCT FROM m.contact_id OR e.sha256 <> m.sha256`); n != 0 {
		t.Errorf("%d messages whose evidence is not theirs or not their contact's", n)
	}
	if res, _ := e.store.VerifyAudit(ctx); !res.OK {
		t.Errorf("audit chain after a batched ingest: %+v", res)
	}
}

// TestBatchedIngestMatchesOneByOne ingests the same mailbox in batches of
// 60 and one message at a time (storeOne, the reference): contacts, bases,
// activities, stored messages, evidence and the audit chain's events must
// be the same, ids and times aside.
func TestBatchedIngestMatchesOneByOne(t *testing.T) {
	mix := mailgen.Mix{N: 180, Senders: 40, ForwardEvery: 5, BounceEvery: 37, AttachEvery: 10}
	var dumps [2]string
	for i := range dumps {
		e := newIngestEnv(t)
		e.in.Batch = 60
		noFallback(t, e.in)
		if i == 1 {
			mailin.StoreOneByOne(e.in)
		}
		// Internal dates fixed, so that both mailboxes are the same.
		at := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
		for k := range mix.N {
			if _, err := e.srv.AppendMessage("INBOX", mix.Message(k), nil, at); err != nil {
				t.Fatal(err)
			}
			if k == mix.N/2 { // every kind of message of the fixtures, amid the mix
				for _, raw := range fixtures(t) {
					if _, err := e.srv.AppendMessage("INBOX", raw, nil, at); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		// A reply to a message of the mailbox, from another address.
		reply := directMail("Ufficio", "ufficio@example.org", "r1@example.org", inReplyToOf(t, mix.Message(3)), "Re")
		if _, err := e.srv.AppendMessage("INBOX", reply, nil, at); err != nil {
			t.Fatal(err)
		}
		if sum := e.ingest(); sum.Fetched != mix.N+1+len(fixtures(t)) || sum.Errors != 0 {
			t.Fatalf("summary %+v", sum)
		}
		if res, _ := e.store.VerifyAudit(ctx); !res.OK {
			t.Errorf("audit chain: %+v", res)
		}
		dumps[i] = dumpIngest(t, e.db)
	}
	if n := strings.Count(dumps[0], "\n"); n < 4*mix.N {
		t.Fatalf("dump of %d lines: too few for %d messages", n, mix.N)
	}
	if dumps[0] != dumps[1] {
		a, b := strings.Split(dumps[0], "\n"), strings.Split(dumps[1], "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("batched and one-by-one differ at line %d:\nbatched:    %s\none-by-one: %s", i, a[i], b[i])
			}
		}
		t.Fatalf("batched has %d lines, one-by-one %d", len(a), len(b))
	}
}

// noFallback fails the test if the batched path gave up on a batch: the
// one-at-a-time fallback would hide its mistakes.
func noFallback(t *testing.T, in *mailin.Ingester) {
	var logs bytes.Buffer
	in.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t.Cleanup(func() {
		if strings.Contains(logs.String(), "could not be stored") {
			t.Errorf("the batched path fell back:\n%s", logs.String())
		}
	})
}

// fixtures are the messages of testdata, in name order.
func fixtures(t *testing.T) [][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out [][]byte
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, raw)
	}
	return out
}

func inReplyToOf(t *testing.T, raw []byte) string {
	t.Helper()
	m := mailin.Parse(raw)
	if m.MessageID == "" {
		t.Fatal("fixture has no Message-ID")
	}
	return m.MessageID
}

// dumpIngest renders what an ingest wrote, without ids or times.
func dumpIngest(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	queries := []string{
		`SELECT email, name, company, phone, status, source, previously_erased FROM contacts ORDER BY email`,
		`SELECT c.email, b.purpose, b.kind, b.source, b.reason, b.valid_from, encode(e.sha256, 'hex')
			FROM bases b JOIN contacts c ON c.id = b.contact_id LEFT JOIN evidence e ON e.id = b.evidence_id ORDER BY 1, 7`,
		`SELECT c.email, a.kind, a.reason, a.at, encode(e.sha256, 'hex')
			FROM activities a JOIN contacts c ON c.id = a.contact_id LEFT JOIN evidence e ON e.id = a.evidence_id ORDER BY 1, 5`,
		`SELECT m.uid, m.class, m.reason, m.review, COALESCE(c.email, ''), m.from_address, m.subject, length(m.preview),
			encode(m.sha256, 'hex') FROM inbound_messages m LEFT JOIN contacts c ON c.id = m.contact_id ORDER BY m.uid`,
		`SELECT encode(e.sha256, 'hex'), e.kind, COALESCE(c.email, ''), e.size, e.content_type, e.metadata, e.received_at,
			sha256(e.content) = e.sha256 AS content_matches_hash FROM evidence e LEFT JOIN contacts c ON c.id = e.contact_id ORDER BY 1`,
		`SELECT purpose, reason FROM suppressions ORDER BY 1, 2`,
		`SELECT a.action, COALESCE(c.email, ''), a.actor FROM audit_events a LEFT JOIN contacts c ON c.id = a.contact_id ORDER BY a.seq`,
		`SELECT count(*), min(last_activity_at) <= max(last_activity_at) FROM contacts`,
	}
	var out bytes.Buffer
	for _, q := range queries {
		rows, err := db.Queryx(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			cols, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&out, cols...)
		}
		rows.Close()
	}
	return out.String()
}

// TestBatchThatFailsIsStoredOneByOneAndFlagsTheBadMessage makes one message
// of a batch impossible to record (a trigger refuses it): the batch fails,
// and is stored again one message at a time; the good messages are stored
// as usual, the bad one raw and flagged for review, with a log line.
func TestBatchThatFailsIsStoredOneByOneAndFlagsTheBadMessage(t *testing.T) {
	e := newIngestEnv(t)
	e.in.Batch = 50
	var logs bytes.Buffer
	e.in.Log = slog.New(slog.NewTextHandler(&logs, nil))
	refusePoison(e.db, "NEW.class <> 'review'")
	for _, raw := range [][]byte{
		directMail("Anna Neri", "anna.neri@studio-neri.it", "a1@example.org", "", "Preventivo"),
		directMail("Bruno Blu", "bruno.blu@example.org", "b1@example.org", "", "poison"),
		directMail("Dario Rosa", "dario.rosa@example.net", "d1@example.net", "", "Preventivo"),
	} {
		e.srv.Append(t, "INBOX", raw)
	}
	sum := e.ingest()
	if sum.Fetched != 3 || sum.Prospects != 2 || sum.Review != 1 || sum.Errors != 1 {
		t.Errorf("summary %+v, want 3 fetched, 2 prospects, 1 for review, 1 error", sum)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages`); n != 3 {
		t.Errorf("%d stored messages, want 3: nothing may be lost", n)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages WHERE subject = 'poison' AND review = 'unparseable' AND contact_id IS NULL`); n != 1 {
		t.Error("the message that could not be recorded is not stored flagged for review")
	}
	if n := e.count(`SELECT count(*) FROM contacts`); n != 2 {
		t.Errorf("%d contacts, want 2", n)
	}
	if n := e.count(`SELECT max(last_uid) FROM mailbox_checkpoints`); n != 3 {
		t.Errorf("checkpoint at %d, want 3", n)
	}
	for _, want := range []string{"batch could not be stored; storing its messages one at a time", "poisoned row",
		"message could not be stored normally; storing it raw, flagged for review"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if res, _ := e.store.VerifyAudit(ctx); !res.OK {
		t.Errorf("audit chain: %+v", res)
	}
}

// TestBatchRunsCaptureHooksOnNewContacts: the hooks crm runs on every new
// contact (mailout queues the privacy notice) run for the contacts a batch
// creates, once each, with the contact already in the database and its
// "contact.created" already on the audit chain (so that a judge reads the
// notice queued after the contact was created, not before).
func TestBatchRunsCaptureHooksOnNewContacts(t *testing.T) {
	e := newIngestEnv(t)
	e.in.Batch = 50
	noFallback(t, e.in)
	var seen []string
	e.store.OnCapture(func(ctx context.Context, tx *sqlx.Tx, c crm.Contact) error {
		var email string
		if err := tx.GetContext(ctx, &email, `SELECT email FROM contacts WHERE id = $1`, c.ID); err != nil {
			return err
		}
		var created int
		if err := tx.GetContext(ctx, &created, `SELECT count(*) FROM audit_events WHERE contact_id = $1 AND action = 'contact.created'`, c.ID); err != nil {
			return err
		}
		if created != 1 {
			t.Errorf("capture hook for %s ran before its contact.created event", email)
		}
		seen = append(seen, email)
		return nil
	})
	e.srv.Append(t, "INBOX", directMail("Anna Neri", "anna.neri@studio-neri.it", "a1@example.org", "", "Preventivo"))
	e.srv.Append(t, "INBOX", directMail("Anna Neri", "anna.neri@studio-neri.it", "a2@example.org", "", "Ancora"))
	e.srv.Append(t, "INBOX", inlineForward("Bruno Blu", "bruno.blu@example.org", "f1@acme-srl.it"))
	e.ingest()
	if strings.Join(seen, " ") != "anna.neri@studio-neri.it bruno.blu@example.org" {
		t.Errorf("capture hooks ran for %q, want once for each new contact", seen)
	}
}

// TestMessagesStoredBeforeAFailureGetTheirAfterAction: when even the
// fallback cannot store a message (here nothing may record it), the
// messages of its batch stored before it keep their checkpoint and get
// their flag, and the ingest reports the error; the message is left
// unflagged on the server, to be fetched again.
func TestMessagesStoredBeforeAFailureGetTheirAfterAction(t *testing.T) {
	e := newIngestEnv(t)
	e.in.Batch = 50
	refusePoison(e.db, "true")
	for _, raw := range [][]byte{
		directMail("Anna Neri", "anna.neri@studio-neri.it", "a1@example.org", "", "Preventivo"),
		directMail("Dario Rosa", "dario.rosa@example.net", "d1@example.net", "", "Preventivo"),
		directMail("Bruno Blu", "bruno.blu@example.org", "b1@example.org", "", "poison"),
	} {
		e.srv.Append(t, "INBOX", raw)
	}
	c, err := mailin.Dial(ctx, e.acct, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := e.in.IngestOnce(ctx, c); err == nil || !strings.Contains(err.Error(), "poisoned row") {
		t.Errorf("ingest error %v, want the refusal", err)
	}
	if n := e.count(`SELECT max(last_uid) FROM mailbox_checkpoints`); n != 2 {
		t.Errorf("checkpoint at %d, want 2", n)
	}
	for _, m := range e.srv.MustMessages(t, "INBOX") {
		if flagged := m.HasFlag("$Basis"); flagged != (m.UID <= 2) {
			t.Errorf("UID %d: $Basis %v, want %v", m.UID, flagged, m.UID <= 2)
		}
	}
}

// refusePoison makes PostgreSQL refuse, with "poisoned row", to record an
// inbound message whose subject is "poison" and for which also (an SQL
// condition on NEW) holds.
func refusePoison(db *sqlx.DB, also string) {
	db.MustExec(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.subject = 'poison' AND (` + also + `) THEN RAISE EXCEPTION 'poisoned row'; END IF;
			RETURN NEW;
		END $$`)
	db.MustExec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON inbound_messages FOR EACH ROW EXECUTE FUNCTION refuse_poison()`)
}
