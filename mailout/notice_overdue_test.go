package mailout_test

import (
	"testing"
	"time"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/mailout"
)

// TestNoticesOverdue checks the dashboard's summary against the full
// report: the same contacts are late (captured over a month ago, notice not
// sent), sent, recent and erased contacts are not, and the count stops at
// its cap.
func TestNoticesOverdue(t *testing.T) {
	e := newOutbox(t, nil)
	sent := e.capture(t, "sent@example.it", "Notice Sent", "it")
	rejected := e.capture(t, "rejected@example.it", "Address Rejected", "it")
	recent := e.capture(t, "recent@example.it", "Captured Today", "it")
	e.capture(t, "erased@example.it", "Since Erased", "it")
	late := []crm.Contact{rejected}
	for _, addr := range []string{"late1@example.it", "late2@example.it", "late3@example.it"} {
		late = append(late, e.capture(t, addr, "Never Sent", "en"))
	}
	e.sink.RejectRecipient("rejected@example.it", 550, "5.1.1", "no such user", 0)
	// Send the notices of sent and rejected only: the others stay queued.
	if _, err := e.db.Exec(`UPDATE outbox SET next_attempt_at = now() + interval '1 day'
		WHERE contact_id <> ALL($1) AND kind = 'notice'`, []int64{sent.ID, rejected.ID}); err != nil {
		t.Fatal(err)
	}
	if c := e.runOnce(t); c.Sent != 1 || c.Failed != 1 {
		t.Fatalf("sending the two notices: %+v, want 1 sent and 1 failed", c)
	}
	if _, err := e.store.Erase(ctx, crmErasure("erased@example.it")); err != nil {
		t.Fatal(err)
	}
	// Everyone but recent was captured 40 days ago.
	if _, err := e.db.Exec(`UPDATE contacts SET created_at = now() - interval '40 days' WHERE id <> $1`, recent.ID); err != nil {
		t.Fatal(err)
	}

	full, err := e.m.NoticesOverdue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.m.NoticesOverdueSummary(ctx, 100, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{}
	for _, c := range late {
		want[c.ID] = true
	}
	for name, got := range map[string][]mailout.Overdue{"NoticesOverdue": full, "summary": sum.Oldest} {
		if len(got) != len(want) {
			t.Errorf("%s: %d overdue, want %d: %+v", name, len(got), len(want), got)
		}
		for _, o := range got {
			if !want[o.ContactID] {
				t.Errorf("%s lists %s, whose notice is not overdue", name, o.Email)
			}
			if due := o.CreatedAt.Add(30 * 24 * time.Hour); !o.DueAt.Equal(due) {
				t.Errorf("%s: %s due %v, want %v (a month after capture)", name, o.Email, o.DueAt, due)
			}
		}
	}
	if sum.Count != len(want) || sum.More {
		t.Errorf("summary count %d (more %v), want %d", sum.Count, sum.More, len(want))
	}
	if len(sum.Oldest) > 0 && (sum.Oldest[0].ContactID != rejected.ID || sum.Oldest[0].Status != "failed" || sum.Oldest[0].LastError == "") {
		t.Errorf("first overdue %+v, want %s failed with the server's answer", sum.Oldest[0], rejected.Email)
	}

	capped, err := e.m.NoticesOverdueSummary(ctx, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if capped.Count != 2 || !capped.More || len(capped.Oldest) != 1 {
		t.Errorf("capped at 2, listing 1: %+v", capped)
	}
}
