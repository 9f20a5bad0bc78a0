package crm

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Reasons a contact may or may not be mailed for a purpose. The same codes
// come from Eligible (one contact) and ExclusionSQL (whole audiences).
const (
	ReasonEligible  = "eligible"
	ReasonErased    = "erased"
	ReasonObjected  = "objected"
	ReasonBounced   = "bounced"
	ReasonNoBasis   = "no_basis"
	ReasonWithdrawn = "withdrawn"
	ReasonLapsed    = "lapsed"
)

// Eligibility answers "may this contact be sent a message of this purpose
// now, and why (not)".
type Eligibility struct {
	Allowed bool   `json:"allowed"`
	Code    string `json:"code"`
	Reason  string `json:"reason"`
}

type basisState int

const (
	stateActive basisState = iota
	stateWithdrawn
	stateLapsed
)

func (s *Store) basisState(b Basis, c Contact, now time.Time) basisState {
	switch {
	case b.WithdrawnAt != nil:
		return stateWithdrawn
	case b.ValidFrom.After(now), b.ValidUntil != nil && !b.ValidUntil.After(now):
		return stateLapsed
	case b.Kind == "legitimate_interest" && !latest(b.ValidFrom, c.LastActivityAt).AddDate(0, s.policy.LegitimateInterestMonths, 0).After(now):
		return stateLapsed
	}
	return stateActive
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Eligible decides for one contact and purpose, from the policy, its bases
// and the suppression list.
func (s *Store) Eligible(ctx context.Context, q sqlx.QueryerContext, c Contact, purpose string) (Eligibility, error) {
	if _, ok := s.policy.Purposes[purpose]; !ok {
		return Eligibility{}, fmt.Errorf("crm: eligibility: purpose %q is not configured: %w", purpose, ErrInvalidInput)
	}
	if c.ErasedAt != nil {
		return deny(ReasonErased, "the contact was erased"), nil
	}
	supp, err := s.suppressionsFor(ctx, q, s.AddressHash(c.Email), purpose)
	if err != nil {
		return Eligibility{}, err
	}
	bases, err := s.Bases(ctx, q, c)
	if err != nil {
		return Eligibility{}, err
	}
	return s.decide(c, purpose, bases, supp), nil
}

// decide applies the policy to a contact's bases and suppressions (which
// may cover other purposes too: only those for purpose or "*" count).
func (s *Store) decide(c Contact, purpose string, bases []Basis, supp []Suppression) Eligibility {
	if c.ErasedAt != nil {
		return deny(ReasonErased, "the contact was erased")
	}
	kinds := s.policy.Purposes[purpose]
	for _, reason := range []string{ReasonErased, ReasonObjected, ReasonBounced} {
		for _, sp := range supp {
			if (sp.Purpose == purpose || sp.Purpose == AllPurposes) && suppressionCode(sp.Reason) == reason &&
				(sp.Reason != "erasure" || !sp.CreatedAt.Before(c.CreatedAt)) {
				return deny(reason, fmt.Sprintf("suppressed for %s since %s (%s)", sp.Purpose, sp.CreatedAt.Format(time.DateOnly), sp.Reason))
			}
		}
	}
	now := s.clock()
	best := deny(ReasonNoBasis, fmt.Sprintf("no basis of kind %v for %s", kinds, purpose))
	for _, b := range bases {
		if b.Purpose != purpose || !slices.Contains(kinds, b.Kind) {
			continue
		}
		switch s.basisState(b, c, now) {
		case stateActive:
			return Eligibility{Allowed: true, Code: ReasonEligible,
				Reason: fmt.Sprintf("%s basis from %s since %s", b.Kind, b.Source, b.ValidFrom.Format(time.DateOnly))}
		case stateWithdrawn:
			best = deny(ReasonWithdrawn, fmt.Sprintf("%s basis withdrawn on %s (%s)", b.Kind, b.WithdrawnAt.Format(time.DateOnly), b.WithdrawnReason))
		case stateLapsed:
			if best.Code != ReasonWithdrawn {
				best = deny(ReasonLapsed, fmt.Sprintf("%s basis lapsed (no activity for %d months, or its validity ended)", b.Kind, s.policy.LegitimateInterestMonths))
			}
		}
	}
	return best
}

func deny(code, reason string) Eligibility { return Eligibility{Code: code, Reason: reason} }

// EligibleSQL returns a boolean SQL predicate that is true when the contact
// row aliased c may be mailed for purpose now. Its placeholders start at
// $first; append args to the caller's.
func (s *Store) EligibleSQL(c string, first int, purpose string) (string, []any) {
	p, k, m := "$"+strconv.Itoa(first), "$"+strconv.Itoa(first+1), "$"+strconv.Itoa(first+2)
	pred := c + `.erased_at IS NULL
		AND EXISTS (SELECT 1 FROM bases b WHERE b.contact_id = ` + c + `.id AND b.purpose = ` + p + ` AND b.kind = ANY(` + k + `)
			AND ` + activeBasisSQL("b", c, m) + `)
		AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.address_hash = ` + c + `.address_hash AND s.purpose IN (` + p + `, '*')
			AND (s.reason <> 'erasure' OR s.created_at >= ` + c + `.created_at))`
	return pred, []any{purpose, pqArray(s.policy.Purposes[purpose]), s.policy.LegitimateInterestMonths}
}

// ExclusionSQL returns an SQL expression giving the Reason code for the
// contact row aliased c and purpose ("eligible" or why not), with
// placeholders from $first, like EligibleSQL.
func (s *Store) ExclusionSQL(c string, first int, purpose string) (string, []any) {
	p, k, m := "$"+strconv.Itoa(first), "$"+strconv.Itoa(first+1), "$"+strconv.Itoa(first+2)
	supp := func(reasons string) string {
		return `EXISTS (SELECT 1 FROM suppressions s WHERE s.address_hash = ` + c + `.address_hash AND s.purpose IN (` + p + `, '*')
			AND s.reason IN (` + reasons + `) AND (s.reason <> 'erasure' OR s.created_at >= ` + c + `.created_at))`
	}
	basis := func(cond string) string {
		return `EXISTS (SELECT 1 FROM bases b WHERE b.contact_id = ` + c + `.id AND b.purpose = ` + p + ` AND b.kind = ANY(` + k + `) AND ` + cond + `)`
	}
	expr := `CASE
		WHEN ` + c + `.erased_at IS NOT NULL OR ` + supp(`'erasure'`) + ` THEN 'erased'
		WHEN ` + supp(`'objection', 'unsubscribe'`) + ` THEN 'objected'
		WHEN ` + supp(`'hard_bounce', 'complaint'`) + ` THEN 'bounced'
		WHEN ` + basis(activeBasisSQL("b", c, m)) + ` THEN 'eligible'
		WHEN ` + basis("b.withdrawn_at IS NOT NULL") + ` THEN 'withdrawn'
		WHEN ` + basis("TRUE") + ` THEN 'lapsed'
		ELSE 'no_basis' END`
	return expr, []any{purpose, pqArray(s.policy.Purposes[purpose]), s.policy.LegitimateInterestMonths}
}

func activeBasisSQL(b, c, months string) string {
	return b + `.withdrawn_at IS NULL AND ` + b + `.valid_from <= now()
		AND (` + b + `.valid_until IS NULL OR ` + b + `.valid_until > now())
		AND (` + b + `.kind <> 'legitimate_interest'
			OR greatest(` + b + `.valid_from, ` + c + `.last_activity_at) + make_interval(months => ` + months + `::int) > now())`
}
