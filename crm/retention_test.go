package crm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgtest"
)

var rules = crm.RetentionRules{UnconfirmedConsentDays: 30, RejectedDays: 30}

// age moves a contact's activity, status change and consent requests back
// by d, as if that time had passed.
func age(t *testing.T, db *sqlx.DB, id int64, d time.Duration) {
	t.Helper()
	for _, q := range []string{
		`UPDATE contacts SET last_activity_at = last_activity_at - $2::interval, updated_at = updated_at - $2::interval,
			created_at = created_at - $2::interval WHERE id = $1`,
		`UPDATE bases SET valid_from = valid_from - $2::interval WHERE contact_id = $1`,
		`UPDATE consent_requests SET created_at = created_at - $2::interval WHERE contact_id = $1`,
	} {
		if _, err := db.Exec(q, id, d.String()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRetentionDryRunChangesNothingAndRunErases(t *testing.T) {
	st, db := newStore(t)
	const year = 365 * 24 * time.Hour
	old := mustCapture(t, st, "old.prospect@example.it", "Old Prospect")
	age(t, db, old.ID, 3*year)
	recent := mustCapture(t, st, "recent@example.it", "Recent Prospect")
	age(t, db, recent.ID, year)
	rejected := mustCapture(t, st, "spammer@example.it", "Spammer")
	inTx(t, st, func(tx *sqlx.Tx) error {
		return st.SetStatus(ctx, tx, rejected.ID, "rejected", "not a real inquiry", system)
	})
	age(t, db, rejected.ID, 40*24*time.Hour)
	// A contact whose double opt-in went unanswered, with no other basis.
	var pending crm.Contact
	inTx(t, st, func(tx *sqlx.Tx) error {
		var err error
		if pending, _, err = st.Capture(ctx, tx, crm.CaptureInput{Email: "pending@example.it", Source: "web_form", Actor: system, Reason: "newsletter form"}); err != nil {
			return err
		}
		text, err := st.StoreConsentText(ctx, tx, "marketing", "it", "v1", "Acconsento alla newsletter.")
		if err != nil {
			return err
		}
		_, _, err = st.RequestConsent(ctx, tx, pending.ID, text.ID, 7*24*time.Hour, system)
		return err
	})
	age(t, db, pending.ID, 31*24*time.Hour)
	// An old prospect with an open access request stays until it is answered.
	waiting := mustCapture(t, st, "asked@example.it", "Asked")
	age(t, db, waiting.ID, 3*year)
	if _, err := st.AddRequest(ctx, crm.RequestInput{Email: "asked@example.it", Kind: "access", Channel: "email", Actor: system}); err != nil {
		t.Fatal(err)
	}

	before := pgtest.Dump(t, db)
	dry, err := st.RetentionCandidates(ctx, rules)
	if err != nil {
		t.Fatal(err)
	}
	if after := pgtest.Dump(t, db); after != before {
		t.Error("the dry run changed the database")
	}
	want := map[string]string{
		"old.prospect@example.it": crm.RuleInactiveProspect,
		"spammer@example.it":      crm.RuleRejectedLead,
		"pending@example.it":      crm.RuleUnconfirmedConsent,
	}
	got := map[string]string{}
	for _, c := range dry {
		got[c.Email] = c.Rule
		if c.Why == "" {
			t.Errorf("candidate %s without a reason", c.Email)
		}
	}
	if len(got) != len(want) {
		t.Errorf("dry run: %+v, want %v", dry, want)
	}
	for email, rule := range want {
		if got[email] != rule {
			t.Errorf("dry run: %s under %q, want %q", email, got[email], rule)
		}
	}

	erased, err := st.ApplyRetention(ctx, rules, "system:retention")
	if err != nil {
		t.Fatal(err)
	}
	if len(erased) != len(want) {
		t.Errorf("run erased %d contacts, want %d", len(erased), len(want))
	}
	var events []string
	if err := db.Select(&events, `SELECT payload::jsonb->>'retention_rule' FROM audit_events
		WHERE action = 'contact.erased' AND actor = 'system:retention' ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	if len(events) != len(want) {
		t.Errorf("%d retention erasure events, want one per contact (%d)", len(events), len(want))
	}
	dump := strings.ToLower(pgtest.Dump(t, db))
	for email := range want {
		if strings.Contains(dump, email) {
			t.Errorf("%s still in the database after retention", email)
		}
	}
	for _, email := range []string{"recent@example.it", "asked@example.it"} {
		if !strings.Contains(dump, email) {
			t.Errorf("retention erased %s", email)
		}
	}
	if again, _ := st.RetentionCandidates(ctx, rules); len(again) != 0 {
		t.Errorf("candidates after the run: %+v", again)
	}
	mustVerify(t, st)
}
