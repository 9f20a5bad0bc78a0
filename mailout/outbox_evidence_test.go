package mailout_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/basis-crm/basis/mailout"
)

// TestEverySentMessageIsEvidenceInTheChain sends a campaign large enough to
// be recorded in several batches and checks, message by message, that the
// outbox row points at evidence of its own contact holding the bytes the
// server received, that an audit event names that evidence with its hash,
// and that the audit chain verifies.
func TestEverySentMessageIsEvidenceInTheChain(t *testing.T) {
	e := newOutbox(t, func(c *mailout.Config) { c.SMTP.Concurrency = 4; c.BatchSize = 7 })
	const n = 60
	for i := range n {
		c := e.capture(t, fmt.Sprintf("person%02d@example.it", i), fmt.Sprintf("Person %d", i), "it")
		e.grantMarketing(t, c)
	}
	if c := e.runOnce(t); c.Sent != n {
		t.Fatalf("notices: %+v, want %d sent", c, n)
	}
	camp := newCampaign(t, e, "Ciao {{.FirstName}}, ecco le novità.")
	if _, err := e.m.ScheduleCampaign(ctx, camp.ID, time.Time{}, staff); err != nil {
		t.Fatal(err)
	}
	if c := e.runOnce(t); c.Sent != n {
		t.Fatalf("campaign: %+v, want %d sent", c, n)
	}
	received := map[string][]byte{} // by Message-ID
	for _, m := range e.sink.Messages() {
		received[m.MessageID] = m.Raw
	}
	var rows []struct {
		OutboxID    int64  `db:"outbox_id"`
		MessageID   string `db:"message_id"`
		SameContact bool   `db:"same_contact"`
		Kind        string `db:"kind"`
		SHA256      []byte `db:"sha256"`
		Content     []byte `db:"content"`
		Audited     int    `db:"audited"`
	}
	err := e.db.Select(&rows, `
		SELECT o.id AS outbox_id, o.message_id, e.contact_id = o.contact_id AS same_contact, e.kind, e.sha256, e.content,
			(SELECT count(*) FROM audit_events a WHERE a.action = 'evidence.added' AND a.contact_id = o.contact_id
				AND a.payload->>'evidence_id' = e.id::text AND a.payload->>'sha256' = encode(e.sha256, 'hex')) AS audited
		FROM outbox o JOIN evidence e ON e.id = o.evidence_id
		WHERE o.status = 'sent' ORDER BY o.id`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2*n {
		t.Fatalf("%d sent rows with evidence, want %d", len(rows), 2*n)
	}
	for _, r := range rows {
		sum := sha256.Sum256(r.Content)
		switch {
		case !r.SameContact || r.Kind != "sent_message":
			t.Errorf("outbox %d: evidence of another contact or kind %q", r.OutboxID, r.Kind)
		case !bytes.Equal(r.Content, received[r.MessageID]):
			t.Errorf("outbox %d: evidence (%d bytes) is not what the server received as %s (%d bytes)",
				r.OutboxID, len(r.Content), r.MessageID, len(received[r.MessageID]))
		case !bytes.Equal(sum[:], r.SHA256):
			t.Errorf("outbox %d: evidence sha256 does not match its content", r.OutboxID)
		case r.Audited != 1:
			t.Errorf("outbox %d: %d evidence.added events for its evidence, want 1", r.OutboxID, r.Audited)
		}
	}
	v, err := e.store.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK {
		t.Fatalf("audit chain broken at %d: %s", v.BadSeq, v.Problem)
	}
}
