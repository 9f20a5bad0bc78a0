package crm

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Event is one entry of the audit chain: who did what, when, to which
// contact, and why (in the payload).
type Event struct {
	Seq         int64           `db:"seq" json:"seq"`
	At          time.Time       `db:"at" json:"at"`
	Actor       Actor           `db:"actor" json:"actor"`
	Action      string          `db:"action" json:"action"`
	ContactID   *int64          `db:"contact_id" json:"contact_id,omitempty"`
	Payload     json.RawMessage `db:"payload" json:"payload"`
	PayloadHash []byte          `db:"payload_hash" json:"payload_hash"`
	PrevHash    []byte          `db:"prev_hash" json:"prev_hash"`
	Hash        []byte          `db:"hash" json:"hash"`
	RedactedAt  *time.Time      `db:"redacted_at" json:"redacted_at,omitempty"`
}

// audit appends an event to the chain inside tx. The head row lock
// serializes appenders until their transactions end, so sequence order is
// commit order and the chain has no forks.
func (s *Store) audit(ctx context.Context, tx *sqlx.Tx, actor Actor, action string, contactID int64, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("crm: audit %s: payload: %w", action, err)
	}
	var head struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	if err := tx.GetContext(ctx, &head, `SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`); err != nil {
		return fmt.Errorf("crm: audit %s: lock chain head: %w", action, err)
	}
	ev := Event{Seq: head.Seq + 1, At: s.clock(), Actor: actor, Action: action, Payload: body, PrevHash: head.Hash}
	if contactID != 0 {
		ev.ContactID = &contactID
	}
	ev.PayloadHash = payloadHash(body)
	ev.Hash = ev.chainHash()
	const q = `
		WITH ins AS (
			INSERT INTO audit_events (seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9))
		UPDATE audit_head SET seq = $1, hash = $9 WHERE id = 1`
	if _, err := tx.ExecContext(ctx, q, ev.Seq, ev.At, ev.Actor, ev.Action, ev.ContactID, string(body),
		ev.PayloadHash, ev.PrevHash, ev.Hash); err != nil {
		return fmt.Errorf("crm: audit %s: append: %w", action, err)
	}
	return nil
}

func payloadHash(body []byte) []byte {
	h := sha256.Sum256(body)
	return h[:]
}

// chainHash covers the previous hash, the position, time, actor, action,
// contact and the payload's hash; redaction replaces the payload but not its
// hash, so a redacted event still links.
func (e Event) chainHash() []byte {
	h := sha256.New()
	h.Write(e.PrevHash)
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(e.Seq))
	h.Write(seq[:])
	for _, field := range []string{e.At.UTC().Format(time.RFC3339Nano), string(e.Actor), e.Action, contactField(e.ContactID)} {
		h.Write([]byte(field))
		h.Write([]byte{0})
	}
	h.Write(e.PayloadHash)
	return h.Sum(nil)
}

func contactField(id *int64) string {
	if id == nil {
		return "-"
	}
	return strconv.FormatInt(*id, 10)
}
