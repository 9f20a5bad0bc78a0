package crm_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgtest"
)

func TestEraseLeavesNothing(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	giveHistory(t, st, c)
	inTx(t, st, func(tx *sqlx.Tx) error {
		// A list message that names him but is not tied to him.
		_, err := st.AddEvidence(ctx, tx, crm.EvidenceInput{Kind: "inbound_email", ContentType: "message/rfc822",
			Content: []byte("Subject: digest\r\n\r\nnew member: Mario.Rossi@Example.it\r\n"), Actor: system})
		return err
	})
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: "mario.rossi@example.it", Reason: "Art. 17 request by phone", Actor: system}); err != nil {
		t.Fatal(err)
	}
	dump := strings.ToLower(pgtest.Dump(t, db))
	for _, s := range []string{"mario.rossi", "mario rossi", "203.0.113.7", "mozilla/5.0 mario", "wants a discount"} {
		if strings.Contains(dump, s) {
			t.Errorf("%q still in the database after erasure", s)
		}
	}
	if !strings.Contains(dump, "anna.bianchi") {
		t.Error("erasure removed another contact's data")
	}
	res := mustVerify(t, st)
	if res.Redacted == 0 {
		t.Error("no audit event was redacted")
	}
	var erasedEvents int
	db.Get(&erasedEvents, `SELECT count(*) FROM audit_events WHERE action = 'contact.erased' AND redacted_at IS NULL`)
	if erasedEvents != 1 {
		t.Errorf("%d unredacted contact.erased events, want 1", erasedEvents)
	}
}

func TestErasedAddressCannotComeBack(t *testing.T) {
	st, db := newStore(t)
	mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: "mario.rossi@example.it", Reason: "Art. 17", Actor: system}); err != nil {
		t.Fatal(err)
	}
	_, err := st.AddContact(ctx, crm.AddInput{CaptureInput: crm.CaptureInput{Email: "Mario.Rossi@example.it", Name: "Mario", Source: "manual",
		Actor: system, Reason: "met at fair"}, Purpose: "marketing", Kind: "consent"})
	if !errors.Is(err, crm.ErrErased) {
		t.Errorf("re-add after erasure: got %v, want ErrErased", err)
	}
	rep, err := st.Import(ctx, strings.NewReader("email,name,company,phone\nmario.rossi@example.it,Mario,,\nnew@example.it,New,,\n"),
		crm.ImportOptions{Purpose: "marketing", Kind: "soft_opt_in", Source: "customer_relationship", Reason: "customers 2025", Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || len(rep.Refused) != 1 || rep.Refused[0].Why != "suppressed (erasure)" {
		t.Errorf("import after erasure: %+v", rep)
	}
	// A new inquiry after the erasure: the person contacted us again.
	var c crm.Contact
	inTx(t, st, func(tx *sqlx.Tx) error {
		var err error
		c, _, err = st.Capture(ctx, tx, crm.CaptureInput{Email: "mario.rossi@example.it", Source: "inbound_email", Actor: system,
			Reason: "new inquiry", AfterErasure: true})
		return err
	})
	if !c.PreviouslyErased {
		t.Error("new prospect after erasure is not marked previously erased")
	}
	if e, _ := st.Eligible(ctx, db, c, "marketing"); e.Allowed {
		t.Errorf("marketing allowed for a previously erased address without new consent: %+v", e)
	}
	mustVerify(t, st)
}

// TestEveryContactTableHasAnErasureStep fails when a migration adds a table
// with a contact_id column that erasure does not clear.
func TestEveryContactTableHasAnErasureStep(t *testing.T) {
	_, db := newStore(t)
	var tables []string
	if err := db.Select(&tables, `SELECT DISTINCT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'contact_id' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	covered := crm.ErasureTables()
	for _, table := range tables {
		if !slices.Contains(covered, table) {
			t.Errorf("table %s has a contact_id column but no erasure step (add one in crm/erasure.go)", table)
		}
	}
}

func TestErasingAContactErasesWhatWasMergedIntoIt(t *testing.T) {
	st, db := newStore(t)
	keep := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	dup := mustCapture(t, st, "m.rossi@rossi-casa.it", "Mario Rossi (home)")
	if err := st.Merge(ctx, keep.ID, dup.ID, "same person, home address", system); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: "mario.rossi@example.it", Reason: "Art. 17", Actor: system}); err != nil {
		t.Fatal(err)
	}
	dump := strings.ToLower(pgtest.Dump(t, db))
	for _, s := range []string{"mario.rossi@example.it", "m.rossi@rossi-casa.it", "mario rossi"} {
		if strings.Contains(dump, s) {
			t.Errorf("%q still in the database after erasing the contact it was merged into", s)
		}
	}
	mustVerify(t, st)
}

// TestEraseEmptiesInboundSearchVectors checks that erasure takes a
// message's words out of full-text search too: inbound_messages.fts
// (migration 00120) is stored beside the text erasure blanks, and a vector
// left behind would keep the name and address searchable and in the
// database. Both kinds of message are covered: tied to the contact, and
// only from its address.
func TestEraseEmptiesInboundSearchVectors(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	anna := mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	db.MustExec(`INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid, from_address, from_name,
		subject, preview, internal_date, size, class, contact_id)
		SELECT id, sha256, 'shared', 'INBOX', 1, id, CASE WHEN contact_id = $1 THEN 'mario.rossi@example.it' ELSE 'anna.bianchi@example.it' END,
			CASE WHEN contact_id = $1 THEN 'Mario Rossi' ELSE 'Anna Bianchi' END,
			'Preventivo', CASE WHEN contact_id = $1 THEN 'Scrive mario.rossi@example.it, Mario Rossi, per un preventivo'
				ELSE 'Buongiorno, sono Anna Bianchi' END, received_at, size, 'lead', contact_id
		FROM evidence WHERE contact_id IN ($1, $2)`, c.ID, anna.ID)
	// Not tied to any contact: erased by its sender's address.
	db.MustExec(`INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid, from_address, from_name,
		subject, preview, internal_date, size, class)
		SELECT id, sha256, 'shared', 'INBOX', 1, 1000 + id, 'mario.rossi@example.it', 'Mario Rossi', 'Ancora io', 'Rossi di nuovo',
			received_at, size, 'review'
		FROM evidence WHERE contact_id = $1`, c.ID)
	if found, _, err := st.SearchInbound(ctx, "rossi", 50, 0); err != nil || len(found) != 2 {
		t.Fatalf("before erasure, search rossi: %d messages, %v; want 2", len(found), err)
	}
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: "mario.rossi@example.it", Reason: "Art. 17", Actor: system}); err != nil {
		t.Fatal(err)
	}
	var left []string
	if err := db.Select(&left, `SELECT fts::text FROM inbound_messages WHERE from_address = '' AND fts <> ''::tsvector`); err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("erased messages still have full-text vectors: %q", left)
	}
	for _, q := range []string{"rossi", "mario", `"mario.rossi@example.it"`, "preventivo"} {
		found, _, err := st.SearchInbound(ctx, q, 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range found {
			if m.ContactID == nil || *m.ContactID != anna.ID {
				t.Errorf("search %s after erasure finds message %d (from %q)", q, m.ID, m.FromAddress)
			}
		}
	}
	if found, _, _ := st.SearchInbound(ctx, "bianchi", 50, 0); len(found) != 1 {
		t.Errorf("search bianchi after erasing another contact: %d messages, want 1", len(found))
	}
}

func TestEraseClosesQueuedMessages(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	var id int64
	if err := db.Get(&id, `INSERT INTO outbox (contact_id, kind, purpose, subject, created_by)
		VALUES ($1, 'manual', 'inquiry_followup', 'Il preventivo', 'test') RETURNING id`, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: "mario.rossi@example.it", Reason: "Art. 17 request", Actor: system}); err != nil {
		t.Fatal(err)
	}
	var row struct {
		Status   string `db:"status"`
		Subject  string `db:"subject"`
		Finished bool   `db:"finished"`
	}
	if err := db.Get(&row, `SELECT status, subject, finished_at IS NOT NULL AS finished FROM outbox WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	// A closed row leaves the sender's queue index (finished_at IS NULL);
	// left open, every claim would walk past it for ever.
	if row.Status != "cancelled" || !row.Finished || row.Subject != "" {
		t.Errorf("queued message after erasure: %+v, want cancelled, closed and blank", row)
	}
}

// TestEraseBlanksInboundReasons: mailin writes the sender into a message's
// reason ("direct mail from mario.rossi@example.it", "unsubscribe subject:
// ..."), so erasure must blank it with the rest of the message's text.
func TestEraseBlanksInboundReasons(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	db.MustExec(`INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid, from_address, from_name,
		subject, preview, internal_date, size, class, reason, contact_id)
		SELECT id, sha256, 'shared', 'INBOX', 1, id, 'mario.rossi@example.it', 'Mario Rossi', 'Preventivo', 'Buongiorno',
			received_at, size, 'lead', 'direct mail from mario.rossi@example.it', contact_id
		FROM evidence WHERE contact_id = $1`, c.ID)
	// Not tied to him: a request to unsubscribe, found by its address.
	db.MustExec(`INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid, from_address, from_name,
		subject, preview, internal_date, size, class, reason)
		SELECT id, sha256, 'shared', 'INBOX', 1, 1000 + id, 'mario.rossi@example.it', '', 'cancellatemi Mario Rossi', '',
			received_at, size, 'review', 'unsubscribe subject: cancellatemi Mario Rossi'
		FROM evidence WHERE contact_id = $1`, c.ID)
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: "mario.rossi@example.it", Reason: "Art. 17", Actor: system}); err != nil {
		t.Fatal(err)
	}
	var reasons []string
	if err := db.Select(&reasons, `SELECT reason FROM inbound_messages ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	for _, r := range reasons {
		if r := strings.ToLower(r); strings.Contains(r, "mario") || strings.Contains(r, "rossi") {
			t.Errorf("inbound message reason %q still names the erased contact", r)
		}
	}
}

// The reason of an erasure stays on the audit chain, which erasure does
// not redact: a reason that names the person is refused, and nothing is
// erased until it is given without.
func TestEraseRefusesAReasonNamingThePerson(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	inTx(t, st, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE contacts SET phone = '+39 333 1234567' WHERE email = 'mario.rossi@example.it'`)
		return err
	})
	for reason, what := range map[string]string{
		"request from Mario.Rossi@example.it by phone": "address",
		"Mario Rossi called, wants to be forgotten":    "name",
		"asked by phone, call back on 333-123 4567":    "phone number",
	} {
		_, err := st.Erase(ctx, crm.ErasureInput{Email: "mario.rossi@example.it", Reason: reason, Actor: system})
		if !errors.Is(err, crm.ErrInvalidInput) || !strings.Contains(err.Error(), "the reason contains the person's "+what) {
			t.Errorf("reason %q: %v, want it refused for naming the %s", reason, err, what)
		}
	}
	if c, err := st.FindContact(ctx, st.DB(), "mario.rossi@example.it"); err != nil || c.ErasedAt != nil {
		t.Fatalf("contact %+v %v, want it still there", c, err)
	}
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: "mario.rossi@example.it", Reason: "Art. 17 request by phone of 2026-11-29", Actor: system}); err != nil {
		t.Fatal(err)
	}
}

// Only whole words of the name count: a contact called "Mont" is erased
// with a reason that says "months".
func TestEraseCountsTheNameAsWholeWords(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "mont@example.it", "Mont")
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: "mont@example.it", Reason: "Art. 17 request, 12 months after the last order", Actor: system}); err != nil {
		t.Fatalf("a reason with \"months\" refused for a contact named Mont: %v", err)
	}
}

// Fulfilling an erasure request refuses an outcome that names the person
// (it is kept on the request and its audit event, and shown in the erasure
// record), and erases nothing until it is given without.
func TestFulfilErasureRefusesAnOutcomeNamingThePerson(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	r, err := st.AddRequest(ctx, crm.RequestInput{Email: "mario.rossi@example.it", Kind: "erasure", Channel: "phone", Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.FulfilRequest(ctx, r.ID, crm.FulfilInput{Reason: "Art. 17 request by phone", Outcome: "confirmed by phone to Mario Rossi", Actor: system})
	if !errors.Is(err, crm.ErrInvalidInput) || !strings.Contains(err.Error(), "the outcome contains the person's name") {
		t.Fatalf("got %v, want the outcome refused", err)
	}
	if c, err := st.FindContact(ctx, st.DB(), "mario.rossi@example.it"); err != nil || c.ErasedAt != nil {
		t.Fatalf("contact %+v %v, want it still there", c, err)
	}
	if _, err := st.FulfilRequest(ctx, r.ID, crm.FulfilInput{Reason: "Art. 17 request by phone", Outcome: "confirmed by phone", Actor: system}); err != nil {
		t.Fatal(err)
	}
	var rec bytes.Buffer
	if _, err := st.ExportErasureRecord(ctx, "mario.rossi@example.it", &rec, system); err != nil {
		t.Fatal(err)
	}
	for name, body := range unzip(t, rec.Bytes()) {
		if strings.Contains(strings.ToLower(string(body)), "rossi") {
			t.Errorf("%s of the erasure record names the person", name)
		}
	}
}
