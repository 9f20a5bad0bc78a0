package crm

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
)

// VerifyResult is the outcome of checking the audit chain.
type VerifyResult struct {
	OK       bool   `json:"ok"`
	Events   int64  `json:"events"`
	Redacted int64  `json:"redacted"`
	HeadSeq  int64  `json:"head_seq"`
	HeadHash string `json:"head_hash"`
	// BadSeq is the first event that does not verify (0 when OK), and Problem says why.
	BadSeq  int64  `json:"bad_seq,omitempty"`
	Problem string `json:"problem,omitempty"`
}

// VerifyAudit recomputes the whole chain and reports the first event that was
// edited, deleted, inserted or reordered.
func (s *Store) VerifyAudit(ctx context.Context) (VerifyResult, error) {
	var res VerifyResult
	var head struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	if err := s.db.GetContext(ctx, &head, `SELECT seq, hash FROM audit_head WHERE id = 1`); err != nil {
		return res, fmt.Errorf("crm: verify: read chain head: %w", err)
	}
	res.HeadSeq, res.HeadHash = head.Seq, hex.EncodeToString(head.Hash)
	rows, err := s.db.QueryxContext(ctx, `
		SELECT seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash, redacted_at
		FROM audit_events ORDER BY seq`)
	if err != nil {
		return res, fmt.Errorf("crm: verify: %w", err)
	}
	defer rows.Close()
	prev := make([]byte, 32)
	fail := func(seq int64, format string, args ...any) (VerifyResult, error) {
		res.BadSeq, res.Problem = seq, fmt.Sprintf(format, args...)
		return res, nil
	}
	for rows.Next() {
		var ev Event
		if err := rows.StructScan(&ev); err != nil {
			return res, fmt.Errorf("crm: verify: %w", err)
		}
		res.Events++
		switch {
		case ev.Seq != res.Events:
			return fail(res.Events, "event %d is missing (next stored event is %d): deleted or renumbered", res.Events, ev.Seq)
		case !bytes.Equal(ev.PrevHash, prev):
			return fail(ev.Seq, "event %d does not link to event %d: inserted, deleted or reordered", ev.Seq, ev.Seq-1)
		case ev.RedactedAt == nil && !bytes.Equal(payloadHash(ev.Payload), ev.PayloadHash):
			return fail(ev.Seq, "event %d payload does not match its hash: edited", ev.Seq)
		case !bytes.Equal(ev.chainHash(), ev.Hash):
			return fail(ev.Seq, "event %d hash does not match its content: edited", ev.Seq)
		}
		if ev.RedactedAt != nil {
			res.Redacted++
		}
		prev = ev.Hash
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("crm: verify: %w", err)
	}
	if res.Events != head.Seq || !bytes.Equal(prev, head.Hash) {
		return fail(res.Events+1, "chain ends at event %d but its head says %d: events at the end were deleted or added", res.Events, head.Seq)
	}
	res.OK = true
	return res, nil
}
