package crm_test

import (
	"testing"

	"github.com/basis-crm/basis/crm"
)

func TestOverviewCountsAndCapsTheReviewQueue(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	if _, err := db.Exec(`INSERT INTO activities (contact_id, kind, reason, actor, at) VALUES
		($1, 'bounce', '550 5.1.1 user unknown', 'system:mailin', now() - interval '1 day'),
		($1, 'bounce', '550 5.1.1 user unknown', 'system:mailin', now() - interval '10 days')`, c.ID); err != nil {
		t.Fatal(err)
	}
	o, err := st.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.NewLeads != 2 || o.NewLeadsMore || o.RecentBounces != 1 {
		t.Errorf("overview %+v: want 2 new leads, not more, and the 1 bounce of the last 7 days", o)
	}
	if _, err := db.Exec(`INSERT INTO contacts (email, name, source) SELECT 'lead' || g || '@example.it', 'Lead ' || g, 'inbound_email'
		FROM generate_series(1, $1) g`, crm.OverviewLeadsCap); err != nil {
		t.Fatal(err)
	}
	if o, err = st.Overview(ctx); err != nil {
		t.Fatal(err)
	}
	if o.NewLeads != crm.OverviewLeadsCap || !o.NewLeadsMore {
		t.Errorf("with %d leads waiting: %d (more %v), want the cap %d and more", crm.OverviewLeadsCap+2, o.NewLeads, o.NewLeadsMore, crm.OverviewLeadsCap)
	}
}
