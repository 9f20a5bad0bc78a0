package crm

import (
	"context"
	"fmt"
)

// AuditFilter narrows ListAudit; zero fields do not filter.
type AuditFilter struct {
	ContactID int64
	Actor     string // exact actor, e.g. "user:anna@acme-srl.it"
	Action    string // exact action, e.g. "contact.erased"
	BeforeSeq int64  // page backwards: events with seq < BeforeSeq
	Limit     int
}

// ListAudit returns audit events, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]Event, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	const q = `SELECT seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash, redacted_at
		FROM audit_events
		WHERE ($1 = 0 OR contact_id = $1) AND ($2 = '' OR actor = $2) AND ($3 = '' OR action = $3)
		  AND ($4 = 0 OR seq < $4)
		ORDER BY seq DESC LIMIT $5`
	out := []Event{}
	if err := s.db.SelectContext(ctx, &out, q, f.ContactID, f.Actor, f.Action, f.BeforeSeq, f.Limit); err != nil {
		return nil, fmt.Errorf("crm: audit log: %w", err)
	}
	return out, nil
}
