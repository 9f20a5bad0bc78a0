package crm_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// TestContactPageMatchesDetail checks the one-query contact page against
// the reads it replaces: Detail, InboundOf and OutboxOf.
func TestContactPageMatchesDetail(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	inTx(t, st, func(tx *sqlx.Tx) error {
		for _, reason := range []string{"first call", "second call"} {
			if _, err := st.LogActivity(ctx, tx, crm.ActivityInput{ContactID: c.ID, Kind: "call", Reason: reason, Note: "n", Actor: system}); err != nil {
				return err
			}
		}
		text, err := st.StoreConsentText(ctx, tx, "marketing", "it", "v1", "Acconsento a ricevere la newsletter.")
		if err != nil {
			return err
		}
		_, err = st.RecordConsent(ctx, tx, crm.ConsentInput{ContactID: c.ID, TextID: text.ID, Method: "double_opt_in",
			IP: "203.0.113.7", UserAgent: "Mozilla/5.0", Actor: "public:confirm-page"})
		return err
	})
	if err := st.ObjectTx(ctx, crm.ObjectionInput{Email: c.Email, Purpose: "marketing", Reason: "no more mail", Actor: system}); err != nil {
		t.Fatal(err)
	}
	db.MustExec(`INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid, from_address, subject, preview,
		internal_date, size, class, contact_id)
		SELECT id, sha256, 'shared', 'INBOX', 1, id, 'mario.rossi@example.it', 'Richiesta', 'Buongiorno', received_at, size, 'lead', contact_id
		FROM evidence WHERE contact_id IS NOT NULL`)
	db.MustExec(`INSERT INTO outbox (contact_id, kind, purpose, status) VALUES ($1, 'manual', 'inquiry_followup', 'queued')`, c.ID)

	got, err := st.ContactPage(ctx, c.ID, 500)
	if err != nil {
		t.Fatal(err)
	}
	want := crm.ContactPage{}
	if want.ContactDetail, err = st.Detail(ctx, c.Email); err != nil {
		t.Fatal(err)
	}
	if want.Inbound, err = st.InboundOf(ctx, db, c.ID, 500); err != nil {
		t.Fatal(err)
	}
	if want.Outbox, err = st.OutboxOf(ctx, db, c.ID); err != nil {
		t.Fatal(err)
	}
	if len(want.Bases) < 2 || len(want.Activities) != 2 || len(want.Consents) != 1 || len(want.Inbound) == 0 || len(want.Outbox) != 1 {
		t.Fatalf("fixture incomplete: %+v", want)
	}
	if g, w := comparable(t, got), comparable(t, want); g != w {
		t.Errorf("contact page differs from Detail:\n got %s\nwant %s", g, w)
	}
	if _, err := st.ContactPage(ctx, c.ID+1000, 500); err == nil {
		t.Errorf("no error for a missing contact")
	}
}

// comparable is v as JSON with times in one notation (the database's JSON
// and lib/pq give the same instant different zones).
func comparable(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`(T\d\d:\d\d:\d\d(?:\.\d+)?)(?:Z|\+00:00)`).ReplaceAllString(string(b), "$1")
}
