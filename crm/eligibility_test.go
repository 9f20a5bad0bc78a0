package crm_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// TestEligibilityMatrix checks every basis kind x purpose x state, and that
// the one-contact answer (Eligible), the audience predicate (EligibleSQL)
// and the exclusion reason (ExclusionSQL) agree.
func TestEligibilityMatrix(t *testing.T) {
	st, db := newStore(t)
	states := []string{"active", "withdrawn", "lapsed", "suppressed", "expired"}
	type row struct {
		email, purpose, kind, state string
		want                        string
	}
	var rows []row
	for _, purpose := range []string{"inquiry_followup", "marketing"} {
		for _, kind := range crm.Kinds {
			for _, state := range states {
				if state == "lapsed" && kind != "legitimate_interest" {
					continue
				}
				allowedKind := false
				for _, k := range policy.Purposes[purpose] {
					allowedKind = allowedKind || k == kind
				}
				want := map[string]string{"active": "eligible", "withdrawn": "withdrawn", "lapsed": "lapsed",
					"suppressed": "objected", "expired": "lapsed"}[state]
				if !allowedKind && state != "suppressed" {
					want = "no_basis"
				}
				rows = append(rows, row{fmt.Sprintf("%s.%s.%s@example.it", purpose, kind, state), purpose, kind, state, want})
			}
		}
	}
	old := time.Now().AddDate(-3, 0, 0)
	for _, r := range rows {
		inTx(t, st, func(tx *sqlx.Tx) error {
			c, _, err := st.Capture(ctx, tx, captureInput(r.email))
			if err != nil {
				return err
			}
			in := crm.GrantInput{ContactID: c.ID, Purpose: r.purpose, Kind: r.kind, Source: "manual", Reason: "test", Actor: system}
			switch r.state {
			case "lapsed":
				in.ValidFrom = old
			case "expired":
				past := time.Now().Add(-time.Hour)
				in.ValidFrom, in.ValidUntil = old, &past
			}
			if _, err := st.Grant(ctx, tx, in); err != nil {
				return err
			}
			switch r.state {
			case "lapsed":
				_, err = tx.Exec(`UPDATE contacts SET last_activity_at = $2 WHERE id = $1`, c.ID, old)
			case "withdrawn":
				_, err = st.WithdrawBases(ctx, tx, c.ID, nil, "withdrawn by the person", system)
			case "suppressed":
				err = st.Object(ctx, tx, crm.ObjectionInput{Email: r.email, Purpose: r.purpose, Actor: system})
			}
			return err
		})
	}
	for _, r := range rows {
		c, err := st.FindContact(ctx, db, r.email)
		if err != nil {
			t.Fatal(err)
		}
		e, err := st.Eligible(ctx, db, c, r.purpose)
		if err != nil {
			t.Fatal(err)
		}
		if e.Code != r.want || e.Allowed != (r.want == "eligible") {
			t.Errorf("%s/%s/%s: Eligible = %+v, want %s", r.purpose, r.kind, r.state, e, r.want)
		}
		pred, args := st.EligibleSQL("c", 2, r.purpose)
		var inAudience bool
		if err := db.Get(&inAudience, `SELECT EXISTS (SELECT 1 FROM contacts c WHERE c.id = $1 AND `+pred+`)`, append([]any{c.ID}, args...)...); err != nil {
			t.Fatal(err)
		}
		if inAudience != e.Allowed {
			t.Errorf("%s/%s/%s: EligibleSQL = %v, Eligible = %v", r.purpose, r.kind, r.state, inAudience, e.Allowed)
		}
		expr, args := st.ExclusionSQL("c", 2, r.purpose)
		var code string
		if err := db.Get(&code, `SELECT `+expr+` FROM contacts c WHERE c.id = $1`, append([]any{c.ID}, args...)...); err != nil {
			t.Fatal(err)
		}
		if code != r.want {
			t.Errorf("%s/%s/%s: ExclusionSQL = %s, want %s", r.purpose, r.kind, r.state, code, r.want)
		}
	}
}

func TestObjectionWithoutPurposeStopsAllMarketingNotFollowUp(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario@example.it", "Mario")
	inTx(t, st, func(tx *sqlx.Tx) error {
		_, err := st.Grant(ctx, tx, crm.GrantInput{ContactID: c.ID, Purpose: "marketing", Kind: "consent", Source: "manual", Reason: "signed form", Actor: system})
		return err
	})
	if err := st.ObjectTx(ctx, crm.ObjectionInput{Email: "mario@example.it", Actor: system}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.FindContact(ctx, db, "mario@example.it")
	if e, _ := st.Eligible(ctx, db, c, "marketing"); e.Allowed || e.Code != crm.ReasonObjected {
		t.Errorf("marketing after objection: %+v", e)
	}
	if e, _ := st.Eligible(ctx, db, c, "inquiry_followup"); !e.Allowed {
		t.Errorf("inquiry follow-up after a marketing objection: %+v", e)
	}
	// A later consent does not undo the objection: it stops marketing for good.
	inTx(t, st, func(tx *sqlx.Tx) error {
		_, err := st.Grant(ctx, tx, crm.GrantInput{ContactID: c.ID, Purpose: "marketing", Kind: "soft_opt_in", Source: "customer_relationship", Reason: "order", Actor: system})
		return err
	})
	if e, _ := st.Eligible(ctx, db, c, "marketing"); e.Allowed {
		t.Errorf("marketing allowed again after objection: %+v", e)
	}
}

func TestHardBounceSuppressesEverything(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "gone@example.it", "Gone")
	inTx(t, st, func(tx *sqlx.Tx) error {
		return st.Suppress(ctx, tx, "gone@example.it", crm.AllPurposes, "hard_bounce", c.ID, system)
	})
	if e, _ := st.Eligible(ctx, db, c, "inquiry_followup"); e.Allowed || e.Code != crm.ReasonBounced {
		t.Errorf("after hard bounce: %+v", e)
	}
}

// An objection to every purpose (Art. 21(1)) stops the follow-up of an
// inquiry too, withdraws every basis, and covers purposes configured later
// (one suppression for '*').
func TestObjectionToEveryPurposeStopsFollowUpToo(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario@example.it", "Mario")
	inTx(t, st, func(tx *sqlx.Tx) error {
		_, err := st.Grant(ctx, tx, crm.GrantInput{ContactID: c.ID, Purpose: "marketing", Kind: "consent", Source: "manual", Reason: "signed form", Actor: system})
		return err
	})
	if e, _ := st.Eligible(ctx, db, c, "inquiry_followup"); !e.Allowed {
		t.Fatalf("follow-up before the objection: %+v", e)
	}
	if err := st.ObjectTx(ctx, crm.ObjectionInput{Email: "mario@example.it", Purpose: crm.AllPurposes, Reason: "by phone: no contact of any kind", Actor: system}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.FindContact(ctx, db, "mario@example.it")
	for _, p := range []string{"marketing", "inquiry_followup"} {
		if e, _ := st.Eligible(ctx, db, c, p); e.Allowed || e.Code != crm.ReasonObjected {
			t.Errorf("%s after an objection to every purpose: %+v", p, e)
		}
	}
	var purposes []string
	if err := db.Select(&purposes, `SELECT purpose FROM suppressions WHERE reason = 'objection'`); err != nil || strings.Join(purposes, ",") != "*" {
		t.Errorf("suppressions %v %v, want one for every purpose", purposes, err)
	}
	var active int
	if err := db.Get(&active, `SELECT count(*) FROM bases WHERE contact_id = $1 AND withdrawn_at IS NULL`, c.ID); err != nil || active != 0 {
		t.Errorf("%d bases still active (%v), want every one withdrawn", active, err)
	}
}
