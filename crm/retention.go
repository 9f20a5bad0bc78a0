package crm

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// RetentionRules are the storage limits (Art. 5(1)(e)) the retention job
// applies.
type RetentionRules struct {
	// ProspectMonths erases a prospect with no activity and no active consent,
	// contract or legal obligation for this long; 0 means the policy's
	// LegitimateInterestMonths.
	ProspectMonths int
	// UnconfirmedConsentDays erases a contact whose double opt-in requests
	// all went unconfirmed this long, with no other basis.
	UnconfirmedConsentDays int
	// RejectedDays erases a lead marked rejected this long ago.
	RejectedDays int
}

// Retention rule names, as they appear in candidates and audit events.
const (
	RuleInactiveProspect   = "inactive_prospect"
	RuleUnconfirmedConsent = "unconfirmed_consent"
	RuleRejectedLead       = "rejected_lead"
)

// RetentionCandidate is a contact a retention rule says should go, and why.
type RetentionCandidate struct {
	ContactID int64     `db:"id" json:"contact_id"`
	Email     string    `db:"email" json:"email"`
	Status    string    `db:"status" json:"status"`
	Rule      string    `db:"rule" json:"rule"`
	Since     time.Time `db:"since" json:"since"`
	Why       string    `db:"-" json:"why"`
}

// retentionSQL finds candidates: $1 prospect months, $2 unconfirmed-consent
// days, $3 rejected days, $4 one contact id or 0 for all. A contact with an
// open data subject request is left alone until it is answered; one matched
// by several rules appears once, under the first.
var retentionSQL = `
	WITH live AS (
		SELECT c.* FROM contacts c
		WHERE c.erased_at IS NULL AND ($4 = 0 OR c.id = $4)
		AND NOT EXISTS (SELECT 1 FROM rights_requests q WHERE q.contact_id = c.id AND q.status = 'open')
		AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.contact_id = c.id AND k.withdrawn_at IS NULL)),
	found AS (
		SELECT c.id, c.email, c.status, 1 AS prio, '` + RuleInactiveProspect + `' AS rule, c.last_activity_at AS since FROM live c
		WHERE c.status IN ('new', 'reviewed', 'qualified')
		AND c.last_activity_at < now() - make_interval(months => $1::int)
		AND NOT EXISTS (SELECT 1 FROM bases b WHERE b.contact_id = c.id AND b.withdrawn_at IS NULL
			AND b.kind IN ('consent', 'contract', 'legal_obligation') AND (b.valid_until IS NULL OR b.valid_until > now()))
	UNION ALL
		SELECT c.id, c.email, c.status, 2, '` + RuleUnconfirmedConsent + `',
			(SELECT max(r.created_at) FROM consent_requests r WHERE r.contact_id = c.id) FROM live c
		WHERE c.status <> 'customer'
		AND EXISTS (SELECT 1 FROM consent_requests r WHERE r.contact_id = c.id)
		AND NOT EXISTS (SELECT 1 FROM consent_requests r WHERE r.contact_id = c.id
			AND (r.used_at IS NOT NULL OR r.created_at >= now() - make_interval(days => $2::int)))
		AND c.last_activity_at < now() - make_interval(days => $2::int)
		AND NOT EXISTS (SELECT 1 FROM bases b WHERE b.contact_id = c.id AND ` + activeRetentionBasis + `)
	UNION ALL
		SELECT c.id, c.email, c.status, 3, '` + RuleRejectedLead + `', c.updated_at FROM live c
		WHERE c.status = 'rejected' AND c.updated_at < now() - make_interval(days => $3::int)
		AND NOT EXISTS (SELECT 1 FROM bases b WHERE b.contact_id = c.id AND b.withdrawn_at IS NULL
			AND b.kind IN ('consent', 'contract', 'legal_obligation')))
	SELECT DISTINCT ON (id) id, email, status, rule, since FROM found ORDER BY id, prio`

// activeRetentionBasis is an active basis of b for contact c, a legitimate
// interest lapsing after $1 months without activity.
var activeRetentionBasis = activeBasisSQL("b", "c", "$1")

func (r RetentionRules) orDefaults(p Policy) RetentionRules {
	if r.ProspectMonths <= 0 {
		r.ProspectMonths = p.LegitimateInterestMonths
	}
	if r.UnconfirmedConsentDays <= 0 {
		r.UnconfirmedConsentDays = 30
	}
	if r.RejectedDays <= 0 {
		r.RejectedDays = 30
	}
	return r
}

// RetentionCandidates lists the contacts the rules say should be erased now,
// and why, without changing anything (the dry run).
func (s *Store) RetentionCandidates(ctx context.Context, rules RetentionRules) ([]RetentionCandidate, error) {
	return s.retentionCandidates(ctx, s.db, rules.orDefaults(s.policy), 0)
}

func (s *Store) retentionCandidates(ctx context.Context, q sqlx.QueryerContext, r RetentionRules, id int64) ([]RetentionCandidate, error) {
	out := []RetentionCandidate{}
	if err := sqlx.SelectContext(ctx, q, &out, retentionSQL, r.ProspectMonths, r.UnconfirmedConsentDays, r.RejectedDays, id); err != nil {
		return nil, fmt.Errorf("crm: retention candidates: %w", err)
	}
	for i := range out {
		out[i].Why = r.why(out[i])
	}
	return out, nil
}

func (r RetentionRules) why(c RetentionCandidate) string {
	since := c.Since.Format(time.DateOnly)
	switch c.Rule {
	case RuleInactiveProspect:
		return fmt.Sprintf("prospect with no activity since %s and no active consent, contract or legal obligation (limit %d months)", since, r.ProspectMonths)
	case RuleUnconfirmedConsent:
		return fmt.Sprintf("double opt-in request of %s never confirmed and no other basis (limit %d days)", since, r.UnconfirmedConsentDays)
	default:
		return fmt.Sprintf("lead rejected on %s (limit %d days)", since, r.RejectedDays)
	}
}

// ApplyRetention erases every contact the rules select, each in its own
// transaction after checking again that it still qualifies, with the rule
// and the reason in its contact.erased audit event. It returns those erased.
func (s *Store) ApplyRetention(ctx context.Context, rules RetentionRules, actor Actor) ([]RetentionCandidate, error) {
	rules = rules.orDefaults(s.policy)
	found, err := s.RetentionCandidates(ctx, rules)
	if err != nil {
		return nil, err
	}
	var erased []RetentionCandidate
	for _, cand := range found {
		err := s.InTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE`, cand.ContactID); err != nil {
				return fmt.Errorf("crm: retention: lock contact %d: %w", cand.ContactID, err)
			}
			again, err := s.retentionCandidates(ctx, tx, rules, cand.ContactID)
			if err != nil || len(again) == 0 {
				return err
			}
			c, err := s.GetContact(ctx, tx, cand.ContactID)
			if err != nil {
				return err
			}
			cand = again[0]
			if err := s.eraseTx(ctx, tx, c, "Art. 5(1)(e) retention: "+cand.Why, actor, map[string]any{"retention_rule": cand.Rule}); err != nil {
				return err
			}
			erased = append(erased, cand)
			return nil
		})
		if err != nil {
			return erased, err
		}
	}
	if len(erased) > 0 {
		s.log.Info("retention applied", "erased", len(erased))
	}
	return erased, nil
}
