package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// mergeMoves lists the tables whose rows follow a contact merged into
// another.
var mergeMoves = []string{"evidence", "bases", "consents", "activities", "consent_requests"}

// Merge folds contact drop into contact keep (the same person under two
// addresses): drop's evidence, bases, consents, activities and consent
// requests move to keep, keep's blank fields are filled from drop, and drop
// is marked rejected and merged_into keep. Both contacts get an audit event.
func (s *Store) Merge(ctx context.Context, keepID, dropID int64, reason string, actor Actor) error {
	if keepID == dropID {
		return fmt.Errorf("crm: merge: a contact cannot be merged into itself: %w", ErrInvalidInput)
	}
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("crm: merge: a reason is required (e.g. \"same person, two addresses\"): %w", ErrInvalidInput)
	}
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM contacts WHERE id IN ($1, $2) ORDER BY id FOR UPDATE`, keepID, dropID); err != nil {
			return fmt.Errorf("crm: merge: lock: %w", err)
		}
		keep, err := s.GetContact(ctx, tx, keepID)
		if err != nil {
			return err
		}
		drop, err := s.GetContact(ctx, tx, dropID)
		if err != nil {
			return err
		}
		if keep.ErasedAt != nil || drop.ErasedAt != nil {
			return fmt.Errorf("crm: merge %d into %d: an erased contact cannot be merged: %w", dropID, keepID, ErrInvalidInput)
		}
		moved := map[string]int64{}
		for _, table := range mergeMoves {
			res, err := tx.ExecContext(ctx, `UPDATE `+table+` SET contact_id = $1 WHERE contact_id = $2`, keepID, dropID)
			if err != nil {
				return fmt.Errorf("crm: merge %d into %d: %s: %w", dropID, keepID, table, err)
			}
			moved[table], _ = res.RowsAffected()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET
			name = CASE WHEN name = '' THEN $2 ELSE name END,
			company = CASE WHEN company = '' THEN $3 ELSE company END,
			phone = CASE WHEN phone = '' THEN $4 ELSE phone END,
			language = CASE WHEN language = '' THEN $5 ELSE language END,
			last_activity_at = GREATEST(last_activity_at, $6), updated_at = $7
			WHERE id = $1`, keepID, drop.Name, drop.Company, drop.Phone, drop.Language, drop.LastActivityAt, s.clock()); err != nil {
			return fmt.Errorf("crm: merge %d into %d: %w", dropID, keepID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET status = 'rejected', merged_into = $1, updated_at = $3 WHERE id = $2`,
			keepID, dropID, s.clock()); err != nil {
			return fmt.Errorf("crm: merge %d into %d: %w", dropID, keepID, err)
		}
		if err := s.audit(ctx, tx, actor, "contact.merged", keepID, map[string]any{
			"merged": dropID, "merged_email": drop.Email, "moved": moved, "reason": reason}); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "contact.merged_into", dropID, map[string]any{"into": keepID, "reason": reason})
	})
}
