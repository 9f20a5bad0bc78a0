package crm

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// SuppressionReasons are why an address may not be mailed.
var SuppressionReasons = []string{"objection", "unsubscribe", "hard_bounce", "complaint", "erasure"}

// AllPurposes is the suppression purpose that covers every purpose.
const AllPurposes = "*"

// Suppression is one entry of the suppression list.
type Suppression struct {
	Purpose   string    `db:"purpose" json:"purpose"`
	Reason    string    `db:"reason" json:"reason"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

func suppressionCode(reason string) string {
	switch reason {
	case "erasure":
		return ReasonErased
	case "objection", "unsubscribe":
		return ReasonObjected
	default:
		return ReasonBounced
	}
}

// Suppress puts an address on the suppression list for purpose (AllPurposes
// for every purpose). contactID is recorded on the audit event (0 if none).
func (s *Store) Suppress(ctx context.Context, tx *sqlx.Tx, email, purpose, reason string, contactID int64, actor Actor) error {
	norm, err := NormalizeAddress(email)
	if err != nil {
		return fmt.Errorf("crm: suppress: %w", err)
	}
	return s.suppressHash(ctx, tx, s.AddressHash(norm), purpose, reason, contactID, actor)
}

func (s *Store) suppressHash(ctx context.Context, tx *sqlx.Tx, hash []byte, purpose, reason string, contactID int64, actor Actor) error {
	if !slices.Contains(SuppressionReasons, reason) {
		return fmt.Errorf("crm: suppress: reason %q is not one of %v: %w", reason, SuppressionReasons, ErrInvalidInput)
	}
	if _, ok := s.policy.Purposes[purpose]; !ok && purpose != AllPurposes {
		return fmt.Errorf("crm: suppress: purpose %q is not configured: %w", purpose, ErrInvalidInput)
	}
	const q = `INSERT INTO suppressions (address_hash, purpose, reason, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (address_hash, purpose) DO NOTHING`
	res, err := tx.ExecContext(ctx, q, hash, purpose, reason, s.clock())
	if err != nil {
		return fmt.Errorf("crm: suppress for %s: %w", purpose, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return s.audit(ctx, tx, actor, "suppression.added", contactID, map[string]any{"purpose": purpose, "reason": reason})
}

func (s *Store) suppressionsFor(ctx context.Context, q sqlx.QueryerContext, hash []byte, purpose string) ([]Suppression, error) {
	var out []Suppression
	err := sqlx.SelectContext(ctx, q, &out, `SELECT purpose, reason, created_at FROM suppressions
		WHERE address_hash = $1 AND purpose IN ($2, '*') ORDER BY created_at`, hash, purpose)
	if err != nil {
		return nil, fmt.Errorf("crm: suppressions: %w", err)
	}
	return out, nil
}

// IsSuppressed reports whether email is suppressed for purpose (or for all).
func (s *Store) IsSuppressed(ctx context.Context, q sqlx.QueryerContext, email, purpose string) (bool, error) {
	norm, err := NormalizeAddress(email)
	if err != nil {
		return false, fmt.Errorf("crm: suppressed: %w", err)
	}
	supp, err := s.suppressionsFor(ctx, q, s.AddressHash(norm), purpose)
	return len(supp) > 0, err
}

// erasedBefore reports whether the address behind hash was erased.
func (s *Store) erasedBefore(ctx context.Context, q sqlx.QueryerContext, hash []byte) (bool, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM suppressions WHERE address_hash = $1 AND reason = 'erasure'`, hash)
	if err != nil {
		return false, fmt.Errorf("crm: erasure check: %w", err)
	}
	return n > 0, nil
}

// ErasedAt returns when email was erased, if it was.
func (s *Store) ErasedAt(ctx context.Context, q sqlx.QueryerContext, email string) (time.Time, bool, error) {
	norm, err := NormalizeAddress(email)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("crm: erased at: %w", err)
	}
	var at []time.Time
	err = sqlx.SelectContext(ctx, q, &at, `SELECT created_at FROM suppressions WHERE address_hash = $1 AND reason = 'erasure'`, s.AddressHash(norm))
	if err != nil || len(at) == 0 {
		return time.Time{}, false, err
	}
	return at[0], true, nil
}
