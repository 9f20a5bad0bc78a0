package crm_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgtest"
)

// dumpWithout returns the database dump, lower-cased, with the held
// evidence's content and metadata cut out.
func dumpWithout(t *testing.T, db *sqlx.DB, content []byte, metadata json.RawMessage) string {
	t.Helper()
	dump := strings.ReplaceAll(pgtest.Dump(t, db), string(content), "(held)")
	return strings.ToLower(strings.ReplaceAll(dump, string(metadata), "(held)"))
}

func TestLegalHoldSurvivesErasureAndGoesWhenLifted(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	var card crm.Evidence
	inTx(t, st, func(tx *sqlx.Tx) error {
		var err error
		card, err = st.AddEvidence(ctx, tx, crm.EvidenceInput{ContactID: c.ID, Kind: "business_card", ContentType: "image/jpeg",
			FileName: "mario-rossi-card.jpg", Content: []byte("JPEG Mario Rossi card"), Actor: system})
		return err
	})
	d, err := st.Detail(ctx, "mario.rossi@example.it")
	if err != nil {
		t.Fatal(err)
	}
	inquiry := d.Evidence[0]
	if inquiry.Kind != "inbound_email" {
		t.Fatalf("first evidence is %s", inquiry.Kind)
	}
	if _, err := st.PlaceHold(ctx, inquiry.ID, "", "user:admin"); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("hold without a reason: got %v", err)
	}
	hold, err := st.PlaceHold(ctx, inquiry.ID, "pending lawsuit R.G. 1234/2026", "user:admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PlaceHold(ctx, inquiry.ID, "again", "user:admin"); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("second hold on the same evidence: got %v", err)
	}
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: "mario.rossi@example.it", Reason: "Art. 17 request", Actor: system}); err != nil {
		t.Fatal(err)
	}
	ev, content, err := st.ReadHeldEvidence(ctx, inquiry.ID, "user:auditor")
	if err != nil {
		t.Fatal(err)
	}
	if ev.SHA256 != inquiry.SHA256 || !strings.Contains(string(content), "Mario Rossi") {
		t.Errorf("held evidence changed by erasure: %+v %q", ev, content)
	}
	dump := dumpWithout(t, db, content, ev.Metadata)
	for _, s := range []string{"mario.rossi", "mario rossi", "mario-rossi-card"} {
		if strings.Contains(dump, s) {
			i := strings.Index(dump, s)
			t.Errorf("%q still in the database outside the held evidence: ...%s...", s, dump[max(0, i-300):i+50])
		}
	}
	if _, _, err := st.ReadHeldEvidence(ctx, card.ID, "user:auditor"); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("reading evidence without a hold: got %v", err)
	}
	var reads int
	db.Get(&reads, `SELECT count(*) FROM audit_events WHERE action = 'evidence.held_read' AND actor = 'user:auditor'
		AND payload::jsonb->>'evidence_id' = $1`, fmt.Sprint(inquiry.ID))
	if reads != 1 {
		t.Errorf("%d audited reads of held evidence, want 1", reads)
	}
	if _, err := st.LiftHold(ctx, hold.ID, "case closed", "user:admin"); err != nil {
		t.Fatal(err)
	}
	full := strings.ToLower(pgtest.Dump(t, db))
	for _, s := range []string{"mario.rossi", "mario rossi"} {
		if strings.Contains(full, s) {
			t.Errorf("%q still in the database after the hold was lifted", s)
		}
	}
	if _, _, err := st.ReadHeldEvidence(ctx, inquiry.ID, "user:auditor"); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("reading evidence after the hold was lifted: got %v", err)
	}
	if _, err := st.LiftHold(ctx, hold.ID, "again", "user:admin"); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("lifting twice: got %v", err)
	}
	mustVerify(t, st)
}

func TestLiftingHoldOnLiveContactKeepsEvidence(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	d, _ := st.Detail(ctx, "anna.bianchi@example.it")
	hold, err := st.PlaceHold(ctx, d.Evidence[0].ID, "dispute over invoice 17", "user:admin")
	if err != nil {
		t.Fatal(err)
	}
	if h, err := st.LiftHold(ctx, hold.ID, "", "user:admin"); err != nil || h.LiftedAt == nil {
		t.Fatalf("lift: %+v %v", h, err)
	}
	if _, content, err := st.EvidenceContent(ctx, st.DB(), d.Evidence[0].ID); err != nil || len(content) == 0 {
		t.Errorf("lifting a hold on a live contact's evidence erased it: %v", err)
	}
	if holds, _ := st.Holds(ctx, true); len(holds) != 0 {
		t.Errorf("active holds after lifting: %+v", holds)
	}
}
