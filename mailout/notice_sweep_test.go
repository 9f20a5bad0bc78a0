package mailout_test

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// TestNoticeSweepCatchesLateCommits checks the missing-notice safety net: a
// tick queues the notice of contacts added without one since the previous
// tick, and a contact whose transaction committed after a tick passed its
// id is found by the hourly whole sweep, never lost.
func TestNoticeSweepCatchesLateCommits(t *testing.T) {
	e := newOutbox(t, nil)
	noHook := crm.NewStore(e.db, testKey, policy, nil) // a command with no outbox running
	add := func(tx *sqlx.Tx, email string) crm.Contact {
		t.Helper()
		c, _, err := noHook.Capture(ctx, tx, crm.CaptureInput{Email: email, Name: "X", Language: "it", Source: "import", Actor: staff, Reason: "import"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	notices := func(c crm.Contact) int {
		t.Helper()
		return len(e.statuses(t, c.ID, "notice"))
	}
	tick := func() {
		t.Helper()
		if err := e.m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}

	tick() // the first tick sweeps everything (nothing yet)
	late, err := e.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer late.Rollback()
	// A long transaction (an import) takes a lower id and commits later. Its
	// row is written directly: a capture would hold the audit chain's lock
	// and make the other capture wait for the commit.
	var straggler crm.Contact
	if err := late.Get(&straggler.ID, `INSERT INTO contacts (email, source, language) VALUES ('straggler@example.it', 'import', 'it') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	var early crm.Contact
	if err := noHook.InTx(ctx, func(tx *sqlx.Tx) error { early = add(tx, "early@example.it"); return nil }); err != nil {
		t.Fatal(err)
	}
	tick()
	if notices(early) != 1 {
		t.Fatalf("a contact added since the last tick has %d notices, want 1", notices(early))
	}
	if err := late.Commit(); err != nil {
		t.Fatal(err)
	}
	tick()
	if notices(straggler) != 0 {
		t.Fatalf("the incremental tick looked below its mark: %d notices", notices(straggler))
	}
	e.m.ExpireNoticeSweep()
	tick()
	if notices(straggler) != 1 || notices(early) != 1 {
		t.Fatalf("after the whole sweep: straggler %d, early %d notices, want 1 each", notices(straggler), notices(early))
	}
	if n, err := e.m.QueueMissingNotices(ctx); err != nil || n != 0 {
		t.Fatalf("QueueMissingNotices = %d, %v; want nothing left", n, err)
	}
}
