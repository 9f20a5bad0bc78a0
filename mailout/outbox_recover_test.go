package mailout_test

import (
	"slices"
	"testing"
)

// TestStoppedSenderIsRecoveredLiveOneIsNot leaves two privacy notices
// "sending": one claimed by a sender registered in outbox_senders whose lock
// nobody holds (it died), one by a sender whose lock is held on another
// connection (it is still sending). The next pass queues the first again and
// sends it, leaves the second alone, and unregisters the dead sender and
// itself.
func TestStoppedSenderIsRecoveredLiveOneIsNot(t *testing.T) {
	e := newOutbox(t, nil)
	dead := e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	live := e.capture(t, "anna.bianchi@example.it", "Anna Bianchi", "it")
	if err := e.m.Tick(ctx); err != nil { // queues the privacy notices
		t.Fatal(err)
	}
	const deadKey, liveKey = 4242, 4243
	conn, err := e.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, liveKey); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct{ contact, key int64 }{{dead.ID, deadKey}, {live.ID, liveKey}} {
		if _, err := e.db.Exec(`INSERT INTO outbox_senders (owner) VALUES ($1)`, s.key); err != nil {
			t.Fatal(err)
		}
		res, err := e.db.Exec(`UPDATE outbox SET status = 'sending', claimed_by = $2, attempts = 1
			WHERE contact_id = $1 AND kind = 'notice' AND status = 'queued'`, s.contact, s.key)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("contact %d: %d queued notices, want 1", s.contact, n)
		}
	}

	c := e.runOnce(t)
	if c.Requeued != 1 || c.Sent != 1 {
		t.Errorf("counts %+v, want 1 requeued and sent", c)
	}
	if got := e.statuses(t, dead.ID, "notice"); !slices.Equal(got, []string{"sent"}) {
		t.Errorf("dead sender's notice: %v, want sent", got)
	}
	if got := e.statuses(t, live.ID, "notice"); !slices.Equal(got, []string{"sending"}) {
		t.Errorf("live sender's notice: %v, want still sending", got)
	}
	var owners []int64
	if err := e.db.Select(&owners, `SELECT owner FROM outbox_senders ORDER BY owner`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(owners, []int64{liveKey}) {
		t.Errorf("registered senders %v, want only the live one %d", owners, liveKey)
	}
}
