package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Hold keeps one piece of evidence through an erasure (Art. 17(3)(e): the
// establishment, exercise or defence of legal claims). Held evidence of an
// erased contact is restricted: only ReadHeldEvidence reads it, and every
// read is audited. Lifting the hold erases it.
type Hold struct {
	ID             int64      `db:"id" json:"id"`
	EvidenceID     int64      `db:"evidence_id" json:"evidence_id"`
	ContactID      *int64     `db:"contact_id" json:"contact_id,omitempty"`
	ContactErased  bool       `db:"contact_erased" json:"contact_erased"`
	EvidenceKind   string     `db:"evidence_kind" json:"evidence_kind"`
	EvidenceSHA256 string     `db:"evidence_sha256" json:"evidence_sha256"`
	Reason         string     `db:"reason" json:"reason"`
	PlacedAt       time.Time  `db:"placed_at" json:"placed_at"`
	PlacedBy       Actor      `db:"placed_by" json:"placed_by"`
	LiftedAt       *time.Time `db:"lifted_at" json:"lifted_at,omitempty"`
	LiftedBy       Actor      `db:"lifted_by" json:"lifted_by,omitempty"`
	LiftReason     string     `db:"lift_reason" json:"lift_reason,omitempty"`
}

const holdSelect = `SELECT h.id, h.evidence_id, e.contact_id, COALESCE(c.erased_at IS NOT NULL, false) AS contact_erased,
	e.kind AS evidence_kind, encode(e.sha256, 'hex') AS evidence_sha256, h.reason, h.placed_at, h.placed_by,
	h.lifted_at, h.lifted_by, h.lift_reason
	FROM legal_holds h JOIN evidence e ON e.id = h.evidence_id LEFT JOIN contacts c ON c.id = e.contact_id `

// PlaceHold puts evidence under legal hold, with the reason (the claim or
// proceedings it is kept for).
func (s *Store) PlaceHold(ctx context.Context, evidenceID int64, reason string, actor Actor) (Hold, error) {
	if strings.TrimSpace(reason) == "" {
		return Hold{}, fmt.Errorf("crm: legal hold on evidence %d: a reason is required (the claim it is kept for): %w", evidenceID, ErrInvalidInput)
	}
	var id int64
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		var ev struct {
			ContactID *int64     `db:"contact_id"`
			ErasedAt  *time.Time `db:"erased_at"`
			Held      bool       `db:"held"`
		}
		err := tx.GetContext(ctx, &ev, `SELECT contact_id, erased_at,
			EXISTS (SELECT 1 FROM legal_holds WHERE evidence_id = $1 AND lifted_at IS NULL) AS held
			FROM evidence WHERE id = $1 FOR UPDATE`, evidenceID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("crm: legal hold: evidence %d (see `basis contacts show EMAIL`): %w", evidenceID, ErrNotFound)
		case err != nil:
			return fmt.Errorf("crm: legal hold on evidence %d: %w", evidenceID, err)
		case ev.ErasedAt != nil:
			return fmt.Errorf("crm: legal hold: evidence %d was erased on %s; nothing left to hold: %w", evidenceID, ev.ErasedAt.Format(time.DateOnly), ErrInvalidInput)
		case ev.Held:
			return fmt.Errorf("crm: legal hold: evidence %d is already under hold (see `basis hold list`): %w", evidenceID, ErrInvalidInput)
		}
		if err := tx.GetContext(ctx, &id, `INSERT INTO legal_holds (evidence_id, reason, placed_at, placed_by) VALUES ($1, $2, $3, $4) RETURNING id`,
			evidenceID, reason, s.clock(), actor); err != nil {
			return fmt.Errorf("crm: legal hold on evidence %d: %w", evidenceID, err)
		}
		return s.audit(ctx, tx, actor, "evidence.hold_placed", requestContact(ev.ContactID), map[string]any{
			"hold_id": id, "evidence_id": evidenceID, "reason": reason})
	})
	if err != nil {
		return Hold{}, err
	}
	return s.GetHold(ctx, s.db, id)
}

// LiftHold ends a legal hold. When the evidence belongs to a contact that
// was erased meanwhile, its content is erased now.
func (s *Store) LiftHold(ctx context.Context, holdID int64, reason string, actor Actor) (Hold, error) {
	if strings.TrimSpace(reason) == "" {
		reason = "hold lifted"
	}
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM legal_holds WHERE id = $1 FOR UPDATE`, holdID); err != nil {
			return fmt.Errorf("crm: lift hold %d: %w", holdID, err)
		}
		h, err := s.GetHold(ctx, tx, holdID)
		if err != nil {
			return err
		}
		if h.LiftedAt != nil {
			return fmt.Errorf("crm: hold %d was already lifted on %s: %w", holdID, h.LiftedAt.Format(time.DateOnly), ErrInvalidInput)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE legal_holds SET lifted_at = $2, lifted_by = $3, lift_reason = $4 WHERE id = $1`,
			holdID, s.clock(), actor, reason); err != nil {
			return fmt.Errorf("crm: lift hold %d: %w", holdID, err)
		}
		erase := h.ContactErased
		if erase {
			if _, err := tx.ExecContext(ctx, `UPDATE evidence SET content = NULL, file_name = '', metadata = '{}', erased_at = now()
				WHERE id = $1 AND erased_at IS NULL AND `+notHeld+`)`, h.EvidenceID); err != nil {
				return fmt.Errorf("crm: lift hold %d: erase evidence %d: %w", holdID, h.EvidenceID, err)
			}
		}
		return s.audit(ctx, tx, actor, "evidence.hold_lifted", requestContact(h.ContactID), map[string]any{
			"hold_id": holdID, "evidence_id": h.EvidenceID, "reason": reason, "evidence_erased": erase})
	})
	if err != nil {
		return Hold{}, err
	}
	return s.GetHold(ctx, s.db, holdID)
}

// GetHold returns one legal hold.
func (s *Store) GetHold(ctx context.Context, q sqlx.QueryerContext, id int64) (Hold, error) {
	var h Hold
	err := sqlx.GetContext(ctx, q, &h, holdSelect+`WHERE h.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Hold{}, fmt.Errorf("crm: hold %d (see `basis hold list`): %w", id, ErrNotFound)
	}
	if err != nil {
		return Hold{}, fmt.Errorf("crm: hold %d: %w", id, err)
	}
	return h, nil
}

// Holds lists legal holds, newest first; activeOnly leaves out lifted ones.
func (s *Store) Holds(ctx context.Context, activeOnly bool) ([]Hold, error) {
	out := []Hold{}
	if err := s.db.SelectContext(ctx, &out, holdSelect+`WHERE NOT $1 OR h.lifted_at IS NULL ORDER BY h.id DESC`, activeOnly); err != nil {
		return nil, fmt.Errorf("crm: list holds: %w", err)
	}
	return out, nil
}

// ReadHeldEvidence returns evidence under an active legal hold, recording the
// access (who read what, when) in the audit chain. Callers restrict it to
// admins and auditors.
func (s *Store) ReadHeldEvidence(ctx context.Context, evidenceID int64, actor Actor) (Evidence, []byte, error) {
	var (
		ev      Evidence
		content []byte
	)
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		var holdID int64
		err := tx.GetContext(ctx, &holdID, `SELECT id FROM legal_holds WHERE evidence_id = $1 AND lifted_at IS NULL`, evidenceID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("crm: evidence %d is not under legal hold: %w", evidenceID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("crm: read held evidence %d: %w", evidenceID, err)
		}
		if ev, content, err = s.EvidenceContent(ctx, tx, evidenceID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "evidence.held_read", requestContact(ev.ContactID), map[string]any{
			"hold_id": holdID, "evidence_id": evidenceID, "sha256": ev.SHA256})
	})
	return ev, content, err
}
