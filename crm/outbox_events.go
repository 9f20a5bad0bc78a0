package crm

import (
	"context"
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

type auditEntry struct {
	contactID int64
	payload   any
}

// auditMany appends several events of one action under one lock of the
// chain head, with one INSERT that also moves audit_head: the same chain
// audit builds one at a time.
func (s *Store) auditMany(ctx context.Context, tx *sqlx.Tx, actor Actor, action string, entries []auditEntry) error {
	if len(entries) == 0 {
		return nil
	}
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
	// The statement moves audit_head too, so its rows skip the deferred
	// trigger that would do it once per row (migration 00080).
	const q = `
		WITH ins AS (
			INSERT INTO audit_events (seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash)
			SELECT u.seq, u.at, $1, $2, u.contact_id, u.payload::json, u.payload_hash, u.prev_hash, u.hash
			FROM unnest($3::bigint[], $4::timestamptz[], $5::bigint[], $6::text[], $7::bytea[], $8::bytea[], $9::bytea[])
				AS u(seq, at, contact_id, payload, payload_hash, prev_hash, hash))
		UPDATE audit_head SET seq = $10, hash = $11 WHERE id = 1`
	if _, err := tx.ExecContext(ctx, `SET LOCAL basis.audit_head_set = on`); err != nil {
		return fmt.Errorf("crm: audit %d × %s: %w", n, action, err)
	}
	if _, err := tx.ExecContext(ctx, q, actor, action, pq.Array(seqs), pq.Array(ats), pq.Array(cids), pq.Array(bodies),
		byteaArray(phashes), byteaArray(prevs), byteaArray(hashes), seqs[n-1], hashes[n-1]); err != nil {
		return fmt.Errorf("crm: audit %d × %s: append: %w", n, action, err)
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL basis.audit_head_set = off`); err != nil {
		return fmt.Errorf("crm: audit %d × %s: %w", n, action, err)
	}
	return nil
}
