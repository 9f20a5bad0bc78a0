package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// auditEntry is one event of a batch appended by auditBatch.
type auditEntry struct {
	action    string
	contactID int64 // 0: no contact
	payload   any
}

// payloadJSON is the body of an event's payload: a json.RawMessage as it
// is (a caller that appends thousands of events of one shape encodes them
// itself, see sentMessagePayload), anything else through json.Marshal.
func payloadJSON(payload any) ([]byte, error) {
	if raw, ok := payload.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(payload)
}

// auditMany appends several events of one action: see auditBatch.
func (s *Store) auditMany(ctx context.Context, tx *sqlx.Tx, actor Actor, action string, entries []auditEntry) error {
	for i := range entries {
		entries[i].action = action
	}
	return s.auditBatch(ctx, tx, actor, entries)
}

// auditBatch appends entries to the chain, in order, under one lock of the
// chain head and with one INSERT, where audit builds one event at a time.
// The statement moves audit_head too, so that its rows skip the deferred
// trigger that would do it once per event (migration 00080).
func (s *Store) auditBatch(ctx context.Context, tx *sqlx.Tx, actor Actor, entries []auditEntry) error {
	n := len(entries)
	if n == 0 {
		return nil
	}
	head, err := lockChain(ctx, tx)
	if err != nil {
		return fmt.Errorf("crm: audit %d events: %w", n, err)
	}
	seqs, ats, actions, bodies := make([]int64, n), make([]string, n), make([]string, n), make([]string, n)
	contacts := make([]any, n)
	phashes, prevs, hashes := make([][]byte, n), make([][]byte, n), make([][]byte, n)
	prev := head.Hash
	for i, e := range entries {
		body, err := payloadJSON(e.payload)
		if err != nil {
			return fmt.Errorf("crm: audit %s: payload: %w", e.action, err)
		}
		ev := Event{Seq: head.Seq + int64(i) + 1, At: s.clock(), Actor: actor, Action: e.action, Payload: body, PrevHash: prev}
		if e.contactID != 0 {
			id := e.contactID
			ev.ContactID = &id
			contacts[i] = id
		}
		ev.PayloadHash = payloadHash(body)
		ev.Hash = ev.chainHash()
		seqs[i], ats[i], actions[i], bodies[i] = ev.Seq, ev.At.Format(time.RFC3339Nano), ev.Action, string(body)
		phashes[i], prevs[i], hashes[i] = ev.PayloadHash, ev.PrevHash, ev.Hash
		prev = ev.Hash
	}
	const q = `
		WITH ins AS (
			INSERT INTO audit_events (seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash)
			SELECT u.seq, u.at, $1, u.action, u.contact_id, u.payload::json, u.payload_hash, u.prev_hash, u.hash
			FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::bigint[], $6::text[], $7::bytea[], $8::bytea[], $9::bytea[])
				AS u(seq, at, action, contact_id, payload, payload_hash, prev_hash, hash))
		UPDATE audit_head SET seq = $10, hash = $11 WHERE id = 1`
	if _, err := tx.ExecContext(ctx, `SET LOCAL basis.audit_head_set = on`); err != nil {
		return fmt.Errorf("crm: audit %d events: %w", n, err)
	}
	if _, err := tx.ExecContext(ctx, q, string(actor), pq.Array(seqs), pq.Array(ats), pq.Array(actions), int64Array(contacts),
		pq.Array(bodies), byteaArray(phashes), byteaArray(prevs), byteaArray(hashes), seqs[n-1], hashes[n-1]); err != nil {
		return fmt.Errorf("crm: audit %d events: append: %w", n, err)
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL basis.audit_head_set = off`); err != nil {
		return fmt.Errorf("crm: audit %d events: %w", n, err)
	}
	return nil
}
