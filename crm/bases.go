package crm

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// Kinds are the lawful bases a contact can have for a purpose.
var Kinds = []string{"consent", "legitimate_interest", "contract", "soft_opt_in", "legal_obligation"}

// Sources say how a contact (or a basis) came to be.
var Sources = []string{"inbound_email", "forwarded_email", "business_card", "customer_relationship",
	"web_form", "double_opt_in", "manual", "import"}

// Basis ties a contact to a purpose with a lawful basis and its evidence.
type Basis struct {
	ID              int64      `db:"id" json:"id"`
	ContactID       int64      `db:"contact_id" json:"contact_id"`
	Purpose         string     `db:"purpose" json:"purpose"`
	Kind            string     `db:"kind" json:"kind"`
	Source          string     `db:"source" json:"source"`
	EvidenceID      *int64     `db:"evidence_id" json:"evidence_id,omitempty"`
	EvidenceSHA256  string     `db:"evidence_sha256" json:"evidence_sha256,omitempty"`
	ConsentID       *int64     `db:"consent_id" json:"consent_id,omitempty"`
	Reason          string     `db:"reason" json:"reason"`
	ValidFrom       time.Time  `db:"valid_from" json:"valid_from"`
	ValidUntil      *time.Time `db:"valid_until" json:"valid_until,omitempty"`
	WithdrawnAt     *time.Time `db:"withdrawn_at" json:"withdrawn_at,omitempty"`
	WithdrawnReason string     `db:"withdrawn_reason" json:"withdrawn_reason,omitempty"`
	CreatedBy       Actor      `db:"created_by" json:"created_by"`
	// Active is computed when read: not withdrawn, started, not ended, not lapsed.
	Active bool `db:"-" json:"active"`
}

// GrantInput describes a new basis.
type GrantInput struct {
	ContactID  int64
	Purpose    string
	Kind       string
	Source     string
	EvidenceID int64 // 0: none
	ConsentID  int64 // 0: none
	Reason     string
	ValidFrom  time.Time // zero: now
	ValidUntil *time.Time
	Actor      Actor
}

// CheckPurposeKind returns a clear error when purpose is not configured or
// kind is not a known basis kind.
func (s *Store) CheckPurposeKind(purpose, kind string) error {
	if _, ok := s.policy.Purposes[purpose]; !ok {
		return fmt.Errorf("purpose %q is not configured (policy.purposes has %v): %w", purpose, s.PurposeNames(), ErrInvalidInput)
	}
	if kind != "" && !slices.Contains(Kinds, kind) {
		return fmt.Errorf("basis kind %q is not one of %v: %w", kind, Kinds, ErrInvalidInput)
	}
	return nil
}

// PurposeNames lists the configured purposes, sorted.
func (s *Store) PurposeNames() []string {
	names := make([]string, 0, len(s.policy.Purposes))
	for p := range s.policy.Purposes {
		names = append(names, p)
	}
	slices.Sort(names)
	return names
}

// Grant records a lawful basis for a contact and purpose.
func (s *Store) Grant(ctx context.Context, tx *sqlx.Tx, in GrantInput) (Basis, error) {
	in, err := s.grantFields(in, s.clock())
	if err != nil {
		return Basis{}, err
	}
	const q = `
		INSERT INTO bases (contact_id, purpose, kind, source, evidence_id, consent_id, reason, valid_from, valid_until, created_by, created_at)
		VALUES ($1, $2, $3, $4, NULLIF($5, 0), NULLIF($6, 0), $7, $8, $9, $10, $11)
		RETURNING id, contact_id, purpose, kind, source, evidence_id, consent_id, reason, valid_from, valid_until,
			withdrawn_at, withdrawn_reason, created_by, '' AS evidence_sha256`
	var b Basis
	if err := tx.GetContext(ctx, &b, q, in.ContactID, in.Purpose, in.Kind, in.Source, in.EvidenceID, in.ConsentID,
		in.Reason, in.ValidFrom, in.ValidUntil, in.Actor, s.clock()); err != nil {
		return Basis{}, fmt.Errorf("crm: grant %s/%s to contact %d: %w", in.Purpose, in.Kind, in.ContactID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE contacts SET updated_at = $2 WHERE id = $1`, in.ContactID, s.clock()); err != nil {
		return Basis{}, fmt.Errorf("crm: grant: touch contact %d: %w", in.ContactID, err)
	}
	return b, s.audit(ctx, tx, in.Actor, "basis.granted", in.ContactID, map[string]any{
		"basis_id": b.ID, "purpose": b.Purpose, "kind": b.Kind, "source": b.Source,
		"evidence_id": b.EvidenceID, "consent_id": b.ConsentID, "reason": in.Reason,
	})
}

// grantFields checks in as both Grant paths (Store and InboundBatch) do,
// purpose, kind and source, and completes it: ValidFrom now when not given.
func (s *Store) grantFields(in GrantInput, now time.Time) (GrantInput, error) {
	if err := s.CheckPurposeKind(in.Purpose, in.Kind); err != nil {
		return in, fmt.Errorf("crm: grant: %w", err)
	}
	if !slices.Contains(Sources, in.Source) {
		return in, fmt.Errorf("crm: grant: source %q is not one of %v: %w", in.Source, Sources, ErrInvalidInput)
	}
	if in.ValidFrom.IsZero() {
		in.ValidFrom = now
	}
	return in, nil
}

// WithdrawBases ends every active basis of a contact for the given purposes
// (all purposes when none are given) and returns how many it ended.
func (s *Store) WithdrawBases(ctx context.Context, tx *sqlx.Tx, contactID int64, purposes []string, reason string, actor Actor) (int, error) {
	const q = `
		UPDATE bases SET withdrawn_at = $3, withdrawn_reason = $4
		WHERE contact_id = $1 AND withdrawn_at IS NULL AND (cardinality($2::text[]) = 0 OR purpose = ANY($2))
		RETURNING id, purpose, kind`
	var ended []struct {
		ID      int64  `db:"id" json:"basis_id"`
		Purpose string `db:"purpose" json:"purpose"`
		Kind    string `db:"kind" json:"kind"`
	}
	if err := tx.SelectContext(ctx, &ended, q, contactID, pqArray(purposes), s.clock(), reason); err != nil {
		return 0, fmt.Errorf("crm: withdraw bases of contact %d: %w", contactID, err)
	}
	if len(ended) == 0 {
		return 0, nil
	}
	return len(ended), s.audit(ctx, tx, actor, "basis.withdrawn", contactID, map[string]any{"bases": ended, "reason": reason})
}

// basisSelect reads the columns of a Basis, from bases b.
const basisSelect = `SELECT b.id, b.contact_id, b.purpose, b.kind, b.source, b.evidence_id, b.consent_id, b.reason, b.valid_from,
	b.valid_until, b.withdrawn_at, b.withdrawn_reason, b.created_by, COALESCE(encode(e.sha256, 'hex'), '') AS evidence_sha256
	FROM bases b LEFT JOIN evidence e ON e.id = b.evidence_id`

// Bases returns a contact's bases, with Active computed by the policy.
func (s *Store) Bases(ctx context.Context, q sqlx.QueryerContext, c Contact) ([]Basis, error) {
	const sel = basisSelect + ` WHERE b.contact_id = $1 ORDER BY b.valid_from, b.id`
	out := []Basis{}
	if err := sqlx.SelectContext(ctx, q, &out, sel, c.ID); err != nil {
		return nil, fmt.Errorf("crm: bases of contact %d: %w", c.ID, err)
	}
	s.setActive(out, c)
	return out, nil
}

// setActive computes each of c's bases' Active by the policy.
func (s *Store) setActive(bases []Basis, c Contact) {
	now := s.clock()
	for i := range bases {
		bases[i].Active = s.basisState(bases[i], c, now) == stateActive
	}
}
