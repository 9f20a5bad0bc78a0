package mailout_test

import (
	"strings"
	"testing"

	"github.com/basis-crm/basis/mailout"
)

// TestQueueUpdatedNotices: after the notice changes, contacts sent an
// earlier version get the current one, waiting notices switch to it, and
// nobody else is written to; a dry run changes nothing, a second run
// nothing more.
func TestQueueUpdatedNotices(t *testing.T) {
	e := newOutbox(t, nil)
	informed := e.capture(t, "informed@example.it", "Informed Before", "en")
	e.capture(t, "current@example.it", "Already Current", "it")
	erased := e.capture(t, "erased@example.it", "Since Erased", "it")
	if c := e.runOnce(t); c.Sent != 3 {
		t.Fatalf("first notices: %+v, want 3 sent", c)
	}
	waiting := e.capture(t, "waiting@example.it", "Still Queued", "it")
	if _, err := e.store.Erase(ctx, crmErasure("erased@example.it")); err != nil {
		t.Fatal(err)
	}
	// informed, erased and waiting were given the texts of an earlier version.
	var old int64
	if err := e.db.Get(&old, `INSERT INTO notice_texts (language, version, subject, body, sha256)
		VALUES ('it', '2025-1', 'Informativa', 'Testo precedente', sha256('2025-1'::bytea)) RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(`UPDATE outbox SET notice_text_id = $1 WHERE kind = 'notice' AND contact_id = ANY($2)`,
		old, []int64{informed.ID, erased.ID, waiting.ID}); err != nil {
		t.Fatal(err)
	}
	// waiting has since asked for English: the moved notice follows the contact.
	if _, err := e.db.Exec(`UPDATE contacts SET language = 'en' WHERE id = $1`, waiting.ID); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		e.db.Get(&n, `SELECT count(*) FROM outbox WHERE kind = 'notice'`)
		return n
	}
	before := count()

	dry, err := e.m.QueueUpdatedNotices(ctx, staff, true)
	if err != nil {
		t.Fatal(err)
	}
	if dry.Queued != 1 || dry.Moved != 1 || !dry.DryRun || count() != before {
		t.Fatalf("dry run: %+v, %d notices (was %d); want 1 to queue, 1 to move, nothing written", dry, count(), before)
	}
	got, err := e.m.QueueUpdatedNotices(ctx, staff, false)
	if err != nil {
		t.Fatal(err)
	}
	if got != (mailout.NoticeUpdate{Version: mailout.NoticeVersion, Queued: 1, Moved: 1}) || count() != before+1 {
		t.Fatalf("update: %+v, %d notices (was %d)", got, count(), before)
	}
	if again, err := e.m.QueueUpdatedNotices(ctx, staff, false); err != nil || again.Queued+again.Moved != 0 {
		t.Fatalf("second update: %+v %v, want nothing to do", again, err)
	}

	e.sink.Reset()
	if c := e.runOnce(t); c.Sent != 2 {
		t.Fatalf("sending the updated notices: %+v, want 2 (informed, waiting)", c)
	}
	msgs := e.sink.Messages()
	for _, who := range []struct{ addr, word string }{{"informed@example.it", "Controller"}, {"waiting@example.it", "Controller"}} {
		got := to(msgs, who.addr)
		if len(got) != 1 || !strings.Contains(string(got[0].Raw), who.word) {
			t.Errorf("%s got %d messages, want the current notice in the contact's language", who.addr, len(got))
		}
	}
	var stale int
	e.db.Get(&stale, `SELECT count(*) FROM outbox o JOIN notice_texts t ON t.id = o.notice_text_id
		WHERE o.status = 'sent' AND o.contact_id = ANY($1) AND t.version = $2 AND o.sent_at > now() - interval '1 minute'`,
		[]int64{informed.ID, waiting.ID}, mailout.NoticeVersion)
	if stale != 2 {
		t.Errorf("%d of the 2 notices just sent carry version %s", stale, mailout.NoticeVersion)
	}
	if len(to(msgs, "current@example.it"))+len(to(msgs, "erased@example.it")) != 0 {
		t.Error("a contact with the current notice, or an erased one, was sent it again")
	}
	var events int
	e.db.Get(&events, `SELECT count(*) FROM audit_events WHERE action = 'outbox.notices_updated'`)
	if events != 1 {
		t.Errorf("%d outbox.notices_updated events, want 1", events)
	}
	// A current notice that failed is not queued again by the next run.
	if _, err := e.db.Exec(`UPDATE outbox SET status = 'failed' WHERE contact_id = $1 AND kind = 'notice'
		AND notice_text_id IN (SELECT id FROM notice_texts WHERE version = $2)`, informed.ID, mailout.NoticeVersion); err != nil {
		t.Fatal(err)
	}
	if again, err := e.m.QueueUpdatedNotices(ctx, staff, false); err != nil || again.Queued != 0 {
		t.Errorf("after the current notice failed: %+v %v, want nothing queued again", again, err)
	}
}

// TestUpdatedNoticesStayOutOfTheOverdueScan: the notices of an update go
// to people sent one before, so they are never overdue; they carry their
// own purpose, which keeps them out of the index of unsent notices that
// the dashboard's overdue count walks (migration 00130). In it, they made
// every dashboard visit check each of them while they waited to be sent.
func TestUpdatedNoticesStayOutOfTheOverdueScan(t *testing.T) {
	e := newOutbox(t, nil)
	for _, addr := range []string{"a@example.it", "b@example.it"} {
		e.capture(t, addr, "Informed Before", "it")
	}
	if c := e.runOnce(t); c.Sent != 2 {
		t.Fatalf("first notices: %+v, want 2 sent", c)
	}
	var old int64
	if err := e.db.Get(&old, `INSERT INTO notice_texts (language, version, subject, body, sha256)
		VALUES ('it', '2025-1', 'Informativa', 'Testo precedente', sha256('2025-1'::bytea)) RETURNING id`); err != nil {
		t.Fatal(err)
	}
	e.db.MustExec(`UPDATE outbox SET notice_text_id = $1 WHERE kind = 'notice'`, old)
	e.db.MustExec(`UPDATE contacts SET created_at = now() - interval '90 days'`)
	if got, err := e.m.QueueUpdatedNotices(ctx, staff, false); err != nil || got.Queued != 2 {
		t.Fatalf("update: %+v %v, want 2 queued", got, err)
	}
	var candidates int
	if err := e.db.Get(&candidates, `SELECT count(*) FROM outbox
		WHERE kind = 'notice' AND sent_at IS NULL AND purpose <> 'privacy_notice_update'`); err != nil {
		t.Fatal(err)
	}
	var def string
	if err := e.db.Get(&def, `SELECT indexdef FROM pg_indexes WHERE indexname = 'outbox_notice_unsent'`); err != nil {
		t.Fatal(err)
	}
	if candidates != 0 || !strings.Contains(def, "privacy_notice_update") {
		t.Errorf("%d queued update notices are overdue candidates; index: %s", candidates, def)
	}
	if s, err := e.m.NoticesOverdueSummary(ctx, 100, 10); err != nil || s.Count != 0 {
		t.Errorf("overdue after an update: %+v %v, want none", s, err)
	}
	if c := e.runOnce(t); c.Sent != 2 {
		t.Errorf("sending the update notices: %+v, want 2 sent", c)
	}
}
