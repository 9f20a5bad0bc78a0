package crm_test

import "testing"

func TestReviewQueueShowsTheCapturingMessage(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	mustCapture(t, st, "anna@example.it", "Anna")
	var evidenceID int64
	if err := db.Get(&evidenceID, `SELECT id FROM evidence WHERE contact_id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid, from_address, from_name,
		subject, preview, internal_date, size, class, contact_id)
		VALUES ($1, '\x00', 'shared', 'INBOX', 1, 1, 'mario.rossi@example.it', 'Mario Rossi', 'Richiesta preventivo',
		'Buongiorno, vorrei un preventivo.', now(), 100, 'inquiry', $2)`, evidenceID, c.ID); err != nil {
		t.Fatal(err)
	}
	items, err := st.ReviewQueue(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("%d leads waiting, want 2", len(items))
	}
	for _, it := range items {
		if it.ID != c.ID {
			continue
		}
		if it.MessageSubject != "Richiesta preventivo" || it.MessageFrom != "Mario Rossi <mario.rossi@example.it>" ||
			it.MessagePreview != "Buongiorno, vorrei un preventivo." || it.EvidenceID == nil || *it.EvidenceID != evidenceID {
			t.Errorf("review item: %+v", it)
		}
	}
}
