package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// appendEvents appends the batch's audit events, in the order they were
// recorded and of any action, under one lock of the chain head and with one
// INSERT: the chain audit builds one event at a time, and auditMany builds
// for one action.
func (b *InboundBatch) appendEvents(ctx context.Context, tx *sqlx.Tx) error {
	n := len(b.events)
	head, err := lockChain(ctx, tx)
	if err != nil {
		return fmt.Errorf("crm: inbound batch: audit: %w", err)
	}
	seqs, contacts, actions := make([]int64, n), make([]any, n), make([]string, n)
	bodies := make([]string, n)
	phashes, prevs, hashes := make([][]byte, n), make([][]byte, n), make([][]byte, n)
	at := b.s.clock()
	prev := head.Hash
	for i, e := range b.events {
		body, err := json.Marshal(e.payload(b))
		if err != nil {
			return fmt.Errorf("crm: inbound batch: audit %s: payload: %w", e.action, err)
		}
		ev := Event{Seq: head.Seq + int64(i) + 1, At: at, Actor: b.actor, Action: e.action, Payload: body, PrevHash: prev}
		if e.contact != 0 {
			id := b.ContactID(e.contact)
			ev.ContactID = &id
			contacts[i] = id
		}
		ev.PayloadHash = payloadHash(body)
		ev.Hash = ev.chainHash()
		seqs[i], actions[i], bodies[i] = ev.Seq, ev.Action, string(body)
		phashes[i], prevs[i], hashes[i] = ev.PayloadHash, ev.PrevHash, ev.Hash
		prev = ev.Hash
	}
	// The statement moves audit_head too, so that its rows skip the
	// deferred trigger that would do it once per event (migration 00080).
	const q = `
		WITH ins AS (
			INSERT INTO audit_events (seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash)
			SELECT u.seq, $1::timestamptz, $2::text, u.action, u.contact_id, u.payload::json, u.payload_hash, u.prev_hash, u.hash
			FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::bytea[], $8::bytea[], $9::bytea[])
				AS u(seq, action, contact_id, payload, payload_hash, prev_hash, hash))
		UPDATE audit_head SET seq = $10, hash = $11 WHERE id = 1`
	if _, err := tx.ExecContext(ctx, `SET LOCAL basis.audit_head_set = on`); err != nil {
		return fmt.Errorf("crm: inbound batch: audit: %w", err)
	}
	if _, err := tx.ExecContext(ctx, q, at.Format(time.RFC3339Nano), string(b.actor), pq.Array(seqs), pq.Array(actions),
		int64Array(contacts), pq.Array(bodies), byteaArray(phashes), byteaArray(prevs), byteaArray(hashes),
		seqs[n-1], hashes[n-1]); err != nil {
		return fmt.Errorf("crm: inbound batch: audit %d events: %w", n, err)
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL basis.audit_head_set = off`); err != nil {
		return fmt.Errorf("crm: inbound batch: audit: %w", err)
	}
	return nil
}
