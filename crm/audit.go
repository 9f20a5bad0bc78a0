package crm

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
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

// audit appends an event to the chain inside tx, in one round trip (the
// SQL function audit_append takes the chain's advisory lock, reads the last
// event and computes the hash; audit_head follows at commit).
func (s *Store) audit(ctx context.Context, tx *sqlx.Tx, actor Actor, action string, contactID int64, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("crm: audit %s: payload: %w", action, err)
	}
	var contact *int64
	if contactID != 0 {
		contact = &contactID
	}
	if _, err := tx.ExecContext(ctx, `SELECT audit_append($1, $2, $3, $4, $5)`, s.clock(), string(actor), action, contact, string(body)); err != nil {
		return fmt.Errorf("crm: audit %s: append: %w", action, err)
	}
	return nil
}

func payloadHash(body []byte) []byte {
	h := sha256.Sum256(body)
	return h[:]
}

// chainHash covers the previous hash, the position, time, actor, action,
// contact and the payload's hash, exactly as the SQL function audit_append
// computes it; redaction replaces the payload but not its hash, so a
// redacted event still links.
func (e Event) chainHash() []byte {
	h := sha256.New()
	h.Write(e.PrevHash)
	var num [8]byte
	binary.BigEndian.PutUint64(num[:], uint64(e.Seq))
	h.Write(num[:])
	binary.BigEndian.PutUint64(num[:], uint64(e.At.UnixMicro()))
	h.Write(num[:])
	for _, field := range []string{string(e.Actor), e.Action, contactField(e.ContactID)} {
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

// chainLockKey is the transaction-scoped advisory lock that serializes
// appenders (the same key as in the SQL function audit_append).
const chainLockKey = 7305994112349750123

// chainHead is the last event of the chain as seen under the chain lock.
type chainHead struct {
	Seq  int64  `db:"seq"`
	Hash []byte `db:"hash"`
}

// lockChain takes the chain lock until tx ends and returns the last event,
// for appenders that compute several events in Go (auditMany).
func lockChain(ctx context.Context, tx *sqlx.Tx) (chainHead, error) {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(chainLockKey)); err != nil {
		return chainHead{}, fmt.Errorf("lock the chain: %w", err)
	}
	head := chainHead{Hash: make([]byte, 32)}
	err := tx.GetContext(ctx, &head, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return chainHead{}, fmt.Errorf("read the chain's last event: %w", err)
	}
	return head, nil
}
