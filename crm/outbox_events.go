package crm

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// OutboxEvent appends an audit event for something the outbox did to a
// contact (a notice or consent request queued, a campaign started). action
// must start with "outbox." or "campaign."; contactID may be 0.
func (s *Store) OutboxEvent(ctx context.Context, tx *sqlx.Tx, actor Actor, action string, contactID int64, payload map[string]any) error {
	if !strings.HasPrefix(action, "outbox.") && !strings.HasPrefix(action, "campaign.") {
		return fmt.Errorf("crm: outbox event %q: action must start with outbox. or campaign.: %w", action, ErrInvalidInput)
	}
	return s.audit(ctx, tx, actor, action, contactID, orEmpty(payload))
}

// SentMessage is the exact bytes of one message sent to a contact, kept as
// evidence of what the person was told.
type SentMessage struct {
	ContactID int64
	Raw       []byte
	SentAt    time.Time
	Metadata  map[string]any // outbox id, Message-ID, kind, purpose, campaign
}

// AddSentMessages stores many sent messages as "sent_message" evidence, each
// with its "evidence.added" audit event, in a few statements: the outbox
// records thousands of messages a second. It returns the evidence ids in
// the order of msgs.
func (s *Store) AddSentMessages(ctx context.Context, tx *sqlx.Tx, actor Actor, msgs []SentMessage) ([]int64, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	ids, err := evidenceIDs(ctx, tx, len(msgs))
	if err != nil {
		return nil, err
	}
	sums, err := s.copySentMessages(ctx, tx, actor, ids, msgs)
	if err != nil {
		return nil, err
	}
	events := make([]auditEntry, len(msgs))
	for i, m := range msgs {
		events[i] = auditEntry{contactID: m.ContactID, payload: map[string]any{
			"evidence_id": ids[i], "kind": "sent_message", "sha256": fmt.Sprintf("%x", sums[i]), "size": len(m.Raw),
			"content_type": "message/rfc822", "file_name": "",
		}}
	}
	return ids, s.auditMany(ctx, tx, actor, "evidence.added", events)
}

// evidenceIDs takes n ids from the evidence sequence, in increasing order:
// COPY cannot return the ids it assigns, so they are chosen first.
func evidenceIDs(ctx context.Context, tx *sqlx.Tx, n int) ([]int64, error) {
	const q = `SELECT nextval(pg_get_serial_sequence('evidence', 'id')) AS id FROM generate_series(1, $1) ORDER BY 1`
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, q, n); err != nil {
		return nil, fmt.Errorf("crm: evidence ids: %w", err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("crm: evidence ids: %d for %d messages", len(ids), n)
	}
	return ids, nil
}

// copySentMessages writes the evidence rows with COPY, which PostgreSQL
// parses several times faster than the same bytes as INSERT array
// parameters. It returns the SHA-256 of each message.
func (s *Store) copySentMessages(ctx context.Context, tx *sqlx.Tx, actor Actor, ids []int64, msgs []SentMessage) ([][]byte, error) {
	now := s.clock()
	stmt, err := tx.PrepareContext(ctx, `COPY evidence (id, contact_id, kind, sha256, content, size, content_type,
		metadata, received_at, created_by, created_at) FROM STDIN`)
	if err != nil {
		return nil, fmt.Errorf("crm: store %d sent messages: %w", len(msgs), err)
	}
	defer stmt.Close()
	sums := make([][]byte, len(msgs))
	for i, m := range msgs {
		sum := sha256.Sum256(m.Raw)
		sums[i] = sum[:]
		meta, err := json.Marshal(orEmpty(m.Metadata))
		if err != nil {
			return nil, fmt.Errorf("crm: sent message metadata: %w", err)
		}
		at := m.SentAt
		if at.IsZero() {
			at = now
		}
		if _, err := stmt.ExecContext(ctx, ids[i], m.ContactID, "sent_message", sums[i], m.Raw, int64(len(m.Raw)),
			"message/rfc822", string(meta), at.UTC(), string(actor), now); err != nil {
			return nil, fmt.Errorf("crm: store %d sent messages: %w", len(msgs), err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return nil, fmt.Errorf("crm: store %d sent messages: %w", len(msgs), err)
	}
	return sums, nil
}

type auditEntry struct {
	contactID int64
	payload   any
}

// auditMany appends several events of one action under one lock of the
// chain head, with one INSERT: the same chain audit builds one at a time.
func (s *Store) auditMany(ctx context.Context, tx *sqlx.Tx, actor Actor, action string, entries []auditEntry) error {
	head, err := lockChain(ctx, tx)
	if err != nil {
		return fmt.Errorf("crm: audit %s: %w", action, err)
	}
	n := len(entries)
	seqs, contacts := make([]int64, n), make([]*int64, n)
	ats := make([]string, n)
	bodies := make([]string, n)
	phashes, prevs, hashes := make([][]byte, n), make([][]byte, n), make([][]byte, n)
	prev := head.Hash
	for i, e := range entries {
		body, err := json.Marshal(e.payload)
		if err != nil {
			return fmt.Errorf("crm: audit %s: payload: %w", action, err)
		}
		ev := Event{Seq: head.Seq + int64(i) + 1, At: s.clock(), Actor: actor, Action: action, Payload: body, PrevHash: prev}
		if e.contactID != 0 {
			id := e.contactID
			ev.ContactID = &id
		}
		ev.PayloadHash = payloadHash(body)
		ev.Hash = ev.chainHash()
		seqs[i], contacts[i], ats[i], bodies[i] = ev.Seq, ev.ContactID, ev.At.Format(time.RFC3339Nano), string(body)
		phashes[i], prevs[i], hashes[i] = ev.PayloadHash, ev.PrevHash, ev.Hash
		prev = ev.Hash
	}
	cids := make([]any, n)
	for i, c := range contacts {
		if c != nil {
			cids[i] = *c
		}
	}
	const q = `
		WITH ins AS (
			INSERT INTO audit_events (seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash)
			SELECT u.seq, u.at, $1, $2, u.contact_id, u.payload::json, u.payload_hash, u.prev_hash, u.hash
			FROM unnest($3::bigint[], $4::timestamptz[], $5::bigint[], $6::text[], $7::bytea[], $8::bytea[], $9::bytea[])
				AS u(seq, at, contact_id, payload, payload_hash, prev_hash, hash))
		SELECT 1`
	if _, err := tx.ExecContext(ctx, q, actor, action, pq.Array(seqs), pq.Array(ats), pq.Array(cids), pq.Array(bodies),
		pq.ByteaArray(phashes), pq.ByteaArray(prevs), pq.ByteaArray(hashes)); err != nil {
		return fmt.Errorf("crm: audit %d × %s: append: %w", n, action, err)
	}
	return nil
}
