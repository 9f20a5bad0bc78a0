package crm

import (
	"context"
	"fmt"
	"time"
)

// Overview counts what the staff dashboard shows.
type Overview struct {
	NewLeads             int64 `db:"new_leads" json:"new_leads"`
	OpenConsentRequests  int64 `db:"open_consent_requests" json:"open_consent_requests"`
	RecentBounces        int64 `db:"recent_bounces" json:"recent_bounces"`
	UnassignedEvidence   int64 `db:"unassigned_evidence" json:"unassigned_evidence"`
	AuditHeadSeq         int64 `db:"audit_head_seq" json:"audit_head_seq"`
	ContactsWithoutBasis int64 `db:"-" json:"-"`
}

// Overview counts leads waiting for review, open double opt-in requests,
// bounces of the last 7 days, evidence not yet tied to a contact, and the
// audit chain's length.
func (s *Store) Overview(ctx context.Context) (Overview, error) {
	const q = `SELECT
		(SELECT count(*) FROM contacts WHERE status = 'new') AS new_leads,
		(SELECT count(*) FROM consent_requests WHERE used_at IS NULL AND expires_at > $1) AS open_consent_requests,
		(SELECT count(*) FROM activities WHERE kind = 'bounce' AND at > $2) AS recent_bounces,
		(SELECT count(*) FROM evidence WHERE contact_id IS NULL AND erased_at IS NULL) AS unassigned_evidence,
		(SELECT seq FROM audit_head WHERE id = 1) AS audit_head_seq`
	var o Overview
	now := s.clock()
	if err := s.db.GetContext(ctx, &o, q, now, now.Add(-7*24*time.Hour)); err != nil {
		return o, fmt.Errorf("crm: overview: %w", err)
	}
	return o, nil
}
