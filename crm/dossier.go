package crm

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ProofEvent is one audit event in the exact form its hash covers, so that
// anyone can recompute the hash without Basis: see Event.ComputedHash.
type ProofEvent struct {
	Seq           int64  `json:"seq"`
	At            string `json:"at"`            // RFC 3339, UTC, for people
	AtMicros      int64  `json:"at_unix_micro"` // the time as hashed: microseconds since 1970-01-01 UTC
	Actor         string `json:"actor"`         // as hashed
	Action        string `json:"action"`        // as hashed
	Contact       string `json:"contact"`       // the contact id in decimal, or "-", as hashed
	Payload       string `json:"payload"`       // the exact payload bytes; a placeholder when redacted
	PayloadSHA256 string `json:"payload_sha256"`
	PrevHash      string `json:"prev_hash"`
	Hash          string `json:"hash"`
	Redacted      bool   `json:"redacted"`
}

// AuditProof is a contact's audit events and the chain head they lead to.
type AuditProof struct {
	Events   []ProofEvent `json:"events"`
	HeadSeq  int64        `json:"head_seq"`
	HeadHash string       `json:"head_hash"`
	// Verified says the whole chain verified when the proof was taken.
	Verified VerifyResult `json:"verified"`
}

// ComputedHash recomputes the event's chain hash from its fields:
//
//	SHA-256( prev_hash (32 bytes)
//	       || seq as 8-byte big-endian
//	       || at in microseconds since 1970-01-01 UTC as 8-byte big-endian
//	       || actor || 0x00 || action || 0x00
//	       || contact id in decimal, or "-" || 0x00
//	       || payload_hash )            where payload_hash = SHA-256(payload bytes)
func (e Event) ComputedHash() []byte { return e.chainHash() }

// ProofOf returns the proof form of an event.
func ProofOf(e Event) ProofEvent {
	return ProofEvent{Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339Nano), AtMicros: e.At.UnixMicro(), Actor: string(e.Actor), Action: e.Action,
		Contact: contactField(e.ContactID), Payload: string(e.Payload), PayloadSHA256: hex.EncodeToString(e.PayloadHash),
		PrevHash: hex.EncodeToString(e.PrevHash), Hash: hex.EncodeToString(e.Hash), Redacted: e.RedactedAt != nil}
}

// ContactAuditProof returns every audit event of a contact and of the
// contacts merged into it, with the current chain head and the result of
// verifying the whole chain, so that a dossier can show these events are
// part of an unbroken chain.
func (s *Store) ContactAuditProof(ctx context.Context, contactID int64) (AuditProof, error) {
	var p AuditProof
	verified, err := s.VerifyAudit(ctx)
	if err != nil {
		return p, err
	}
	p.Verified, p.HeadSeq, p.HeadHash = verified, verified.HeadSeq, verified.HeadHash
	var events []Event
	if err := s.db.SelectContext(ctx, &events, `SELECT seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash, redacted_at
		FROM audit_events WHERE contact_id IN (`+mergedFamily+`) AND seq <= $2 ORDER BY seq`, contactID, p.HeadSeq); err != nil {
		return p, fmt.Errorf("crm: audit proof of contact %d: %w", contactID, err)
	}
	p.Events = make([]ProofEvent, len(events))
	for i, e := range events {
		p.Events[i] = ProofOf(e)
	}
	return p, nil
}

// AuditEvent returns one event of the chain.
func (s *Store) AuditEvent(ctx context.Context, seq int64) (Event, error) {
	var e Event
	err := s.db.GetContext(ctx, &e, `SELECT seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash, redacted_at
		FROM audit_events WHERE seq = $1`, seq)
	if err == sql.ErrNoRows {
		return e, fmt.Errorf("crm: audit event %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("crm: audit event %d: %w", seq, err)
	}
	return e, nil
}

// PayloadMatches reports whether an unredacted payload still has its hash.
func (e Event) PayloadMatches() bool {
	sum := sha256.Sum256(e.Payload)
	return hex.EncodeToString(sum[:]) == hex.EncodeToString(e.PayloadHash)
}

// OutboxEntry is one message queued for a contact (mailout's outbox), for
// the dossier: what was to be sent, when, and what became of it.
type OutboxEntry struct {
	ID            int64      `db:"id" json:"id"`
	Kind          string     `db:"kind" json:"kind"`
	Purpose       string     `db:"purpose" json:"purpose"`
	Status        string     `db:"status" json:"status"`
	Subject       string     `db:"subject" json:"subject,omitempty"` // as sent; empty while waiting
	NoticeVersion string     `db:"notice_version" json:"notice_version,omitempty"`
	EvidenceID    *int64     `db:"evidence_id" json:"evidence_id,omitempty"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
	SentAt        *time.Time `db:"sent_at" json:"sent_at,omitempty"`
}

// outboxSubject is the subject of an outbox row o: the one rendered when it
// was sent (or given when it was queued), empty while a notice or campaign
// message waits (their templates hold placeholders).
const outboxSubject = `o.subject`

// OutboxOf lists a contact's outgoing messages, oldest first, or nothing
// when the mailout tables are not installed.
func (s *Store) OutboxOf(ctx context.Context, q sqlx.QueryerContext, contactID int64) ([]OutboxEntry, error) {
	var exists bool
	if err := sqlx.GetContext(ctx, q, &exists, `SELECT to_regclass('public.outbox') IS NOT NULL AND to_regclass('public.notice_texts') IS NOT NULL`); err != nil {
		return nil, fmt.Errorf("crm: outbox of contact %d: %w", contactID, err)
	}
	out := []OutboxEntry{}
	if !exists {
		return out, nil
	}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT o.id, o.kind, o.purpose, o.status, `+outboxSubject+` AS subject,
		COALESCE(n.version, '') AS notice_version, o.evidence_id, o.created_at, o.sent_at
		FROM outbox o LEFT JOIN notice_texts n ON n.id = o.notice_text_id
		WHERE o.contact_id = $1 ORDER BY o.created_at, o.id`, contactID)
	if err != nil {
		return nil, fmt.Errorf("crm: outbox of contact %d: %w", contactID, err)
	}
	return out, nil
}
