package crm

import (
	"context"
	"fmt"
	"time"
)

// OverviewLeadsCap is where Overview stops counting leads waiting for
// review ("1000+"): counting a queue of 100,000 read as many rows, 2 s with
// a million contacts, on every visit to the dashboard.
const OverviewLeadsCap = 1000

// Overview counts what the staff dashboard shows.
type Overview struct {
	// NewLeads counts contacts waiting for review up to OverviewLeadsCap;
	// NewLeadsMore says there are more.
	NewLeads            int64 `db:"new_leads" json:"new_leads"`
	NewLeadsMore        bool  `db:"-" json:"new_leads_more"`
	OpenConsentRequests int64 `db:"open_consent_requests" json:"open_consent_requests"`
	RecentBounces       int64 `db:"recent_bounces" json:"recent_bounces"`
	UnassignedEvidence  int64 `db:"unassigned_evidence" json:"unassigned_evidence"`
	AuditHeadSeq        int64 `db:"audit_head_seq" json:"audit_head_seq"`
	// OpenRightsRequests counts data subject requests not yet answered;
	// LateRightsRequests those past their deadline, and
	// DueSoonRightsRequests those due within the next 7 days.
	OpenRightsRequests    int64 `db:"open_rights_requests" json:"open_rights_requests"`
	LateRightsRequests    int64 `db:"late_rights_requests" json:"late_rights_requests"`
	DueSoonRightsRequests int64 `db:"due_soon_rights_requests" json:"due_soon_rights_requests"`
	ContactsWithoutBasis  int64 `db:"-" json:"-"`
}

// Overview counts leads waiting for review, open double opt-in requests,
// bounces of the last 7 days, evidence not yet tied to a contact, and the
// audit chain's length, and the open rights requests: late, and due within
// 7 days.
func (s *Store) Overview(ctx context.Context) (Overview, error) {
	const q = `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM contacts WHERE status = 'new' LIMIT $5) x) AS new_leads,
		(SELECT count(*) FROM consent_requests WHERE used_at IS NULL AND expires_at > $1) AS open_consent_requests,
		(SELECT count(*) FROM activities WHERE kind = 'bounce' AND at > $2) AS recent_bounces,
		(SELECT count(*) FROM evidence WHERE contact_id IS NULL AND erased_at IS NULL) AS unassigned_evidence,
		(SELECT seq FROM audit_head WHERE id = 1) AS audit_head_seq,
		(SELECT count(*) FROM rights_requests WHERE status = 'open') AS open_rights_requests,
		(SELECT count(*) FROM rights_requests WHERE status = 'open' AND due_on < $3) AS late_rights_requests,
		(SELECT count(*) FROM rights_requests WHERE status = 'open' AND due_on >= $3 AND due_on <= $4) AS due_soon_rights_requests`
	var o Overview
	now := s.clock()
	today := civilDate(now)
	if err := s.db.GetContext(ctx, &o, q, now, now.Add(-7*24*time.Hour), today, today.AddDate(0, 0, 7), OverviewLeadsCap+1); err != nil {
		return o, fmt.Errorf("crm: overview: %w", err)
	}
	if o.NewLeads > OverviewLeadsCap {
		o.NewLeads, o.NewLeadsMore = OverviewLeadsCap, true
	}
	return o, nil
}
