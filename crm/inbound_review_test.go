package crm_test

import (
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// mustFlag stores raw as unassigned evidence with an inbound_messages row
// flagged for review, as mailin does for a message it cannot capture.
func mustFlag(t *testing.T, st *crm.Store, uid int64, review, subject, fromName, preview string) crm.InboundMessage {
	t.Helper()
	var id int64
	inTx(t, st, func(tx *sqlx.Tx) error {
		ev, err := st.AddEvidence(ctx, tx, crm.EvidenceInput{Kind: "inbound_email", ContentType: "message/rfc822",
			Content: []byte("Subject: " + subject + "\r\n\r\n" + preview + "\r\n"), Actor: system})
		if err != nil {
			return err
		}
		return tx.GetContext(ctx, &id, `INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid,
			from_name, subject, preview, internal_date, size, class, review)
			SELECT $1, sha256, 'shared', 'INBOX', 1, $2, $3, $4, $5, now(), size, 'inquiry', $6 FROM evidence WHERE id = $1
			RETURNING id`, ev.ID, uid, fromName, subject, preview, review)
	})
	m, err := st.InboundMessageByID(ctx, st.DB(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func auditActions(t *testing.T, st *crm.Store, action string) []crm.Event {
	t.Helper()
	evs, err := st.ListAudit(ctx, crm.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestAssignInboundAttachesEvidenceAndLeavesQueue(t *testing.T) {
	st, _ := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	m := mustFlag(t, st, 1, "missing_from", "Preventivo", "", "vorrei un preventivo")
	other := mustFlag(t, st, 2, "spam", "Win a prize", "Spammer", "click here")
	if n, _ := st.CountFlaggedMessages(ctx); n != 2 {
		t.Fatalf("flagged count: %d, want 2", n)
	}
	inTx(t, st, func(tx *sqlx.Tx) error {
		return st.AssignInbound(ctx, tx, m.ID, c.ID, "his colleague's address", "user:anna@acme-srl.it")
	})
	list, _, err := st.FlaggedMessages(ctx, 50, 0)
	if err != nil || len(list) != 1 || list[0].ID != other.ID {
		t.Fatalf("queue after assign: %+v %v", list, err)
	}
	got, _ := st.InboundMessageByID(ctx, st.DB(), m.ID)
	if got.ContactID == nil || *got.ContactID != c.ID || got.ReviewedAt == nil {
		t.Fatalf("message row not assigned: %+v", got)
	}
	evs, _ := st.EvidenceOf(ctx, st.DB(), c.ID)
	attached := false
	for _, e := range evs {
		attached = attached || e.ID == m.EvidenceID
	}
	if !attached {
		t.Fatal("evidence not attached to the contact")
	}
	if a := auditActions(t, st, "inbound.assigned"); len(a) != 1 || a[0].ContactID == nil || *a[0].ContactID != c.ID {
		t.Fatalf("inbound.assigned events: %+v", a)
	}
	if mine, _ := st.InboundOf(ctx, st.DB(), c.ID, 10); len(mine) != 1 || mine[0].ID != m.ID {
		t.Fatalf("InboundOf: %+v", mine)
	}
	err = st.InTx(ctx, func(tx *sqlx.Tx) error { return st.AssignInbound(ctx, tx, m.ID, c.ID, "again", system) })
	if !errors.Is(err, crm.ErrInvalidInput) {
		t.Fatalf("assigning twice: %v, want ErrInvalidInput", err)
	}
}

func TestDismissInboundIsAuditedAndRefusesTwice(t *testing.T) {
	st, _ := newStore(t)
	m := mustFlag(t, st, 1, "spam", "Win a prize", "Spammer", "click here")
	inTx(t, st, func(tx *sqlx.Tx) error { return st.DismissInbound(ctx, tx, m.ID, "spam", "user:anna@acme-srl.it") })
	if n, _ := st.CountFlaggedMessages(ctx); n != 0 {
		t.Fatalf("flagged after dismiss: %d", n)
	}
	if a := auditActions(t, st, "inbound.dismissed"); len(a) != 1 || a[0].Actor != "user:anna@acme-srl.it" {
		t.Fatalf("inbound.dismissed events: %+v", a)
	}
	err := st.InTx(ctx, func(tx *sqlx.Tx) error { return st.DismissInbound(ctx, tx, m.ID, "again", system) })
	if !errors.Is(err, crm.ErrInvalidInput) {
		t.Fatalf("dismissing twice: %v, want ErrInvalidInput", err)
	}
	err = st.InTx(ctx, func(tx *sqlx.Tx) error { return st.DismissInbound(ctx, tx, 999999, "x", system) })
	if !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("dismissing a missing message: %v, want ErrNotFound", err)
	}
}

func TestAssignInboundRefusesErasedContact(t *testing.T) {
	st, _ := newStore(t)
	c := mustCapture(t, st, "gone@example.it", "Gone")
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: c.Email, Reason: "Art. 17 request", Actor: system}); err != nil {
		t.Fatal(err)
	}
	m := mustFlag(t, st, 1, "erased_sender", "Hello again", "", "hi")
	err := st.InTx(ctx, func(tx *sqlx.Tx) error { return st.AssignInbound(ctx, tx, m.ID, c.ID, "x", system) })
	if !errors.Is(err, crm.ErrErased) {
		t.Fatalf("assign to erased contact: %v, want ErrErased", err)
	}
	if n, _ := st.CountFlaggedMessages(ctx); n != 1 {
		t.Fatalf("refused assignment changed the queue: %d", n)
	}
}

func TestSearchInboundFullText(t *testing.T) {
	st, _ := newStore(t)
	mustFlag(t, st, 1, "", "Preventivo caldaie", "Mario Rossi", "tre caldaie a condensazione")
	mustFlag(t, st, 2, "", "Offerta camere", "Hotel Lago", "dodici camere")
	for q, want := range map[string]int{"caldaie": 1, "rossi": 1, "camere": 1, "preventivo -caldaie": 0, "nothing": 0, "": 0} {
		got, _, err := st.SearchInbound(ctx, q, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("SearchInbound(%q): %d results, want %d", q, len(got), want)
		}
	}
	got, more, err := st.SearchInbound(ctx, "caldaie or camere", 1, 0)
	if err != nil || len(got) != 1 || !more {
		t.Fatalf("first page of 1: %d results, more=%v, %v", len(got), more, err)
	}
}
