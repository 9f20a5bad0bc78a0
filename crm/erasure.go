package crm

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// erasureStep removes a contact's personal data from one table. $1 is the
// contact id, $2 its normalized address (for rows that name the address
// without being tied to the contact).
type erasureStep struct {
	Table string
	SQL   string
}

// erasureSteps lists, for every table that holds personal data, how erasure
// clears it. A test fails when a table with a contact_id column is missing
// here, so a new table cannot be forgotten: add its step when you add it.
var erasureSteps = []erasureStep{
	{"evidence", `UPDATE evidence SET content = NULL, file_name = '', metadata = '{}', erased_at = now()
		WHERE contact_id = $1 AND erased_at IS NULL`},
	// Unassigned evidence (list mail, messages under review) that carries the address.
	{"evidence", `UPDATE evidence SET content = NULL, file_name = '', metadata = '{}', erased_at = now()
		WHERE contact_id IS NULL AND erased_at IS NULL AND strpos(lower(encode(content, 'escape')), $2) > 0`},
	{"consents", `UPDATE consents SET ip = '', user_agent = '' WHERE contact_id = $1`},
	{"activities", `UPDATE activities SET reason = '(erased)', note = '' WHERE contact_id = $1`},
	{"bases", `UPDATE bases SET reason = '', withdrawn_at = COALESCE(withdrawn_at, now()),
		withdrawn_reason = 'erasure' WHERE contact_id = $1`},
	{"audit_events", `UPDATE audit_events SET payload = '{"redacted":"erasure"}', redacted_at = now()
		WHERE contact_id = $1 AND redacted_at IS NULL`},
	{"contacts", `UPDATE contacts SET email = NULL, address_hash = NULL, name = '', company = '', phone = '',
		language = '', status = 'erased', erased_at = now(), updated_at = now() WHERE id = $1`},
}

// registerErasureStep adds a step for a table a later feature owns. Steps
// run in order; keep "contacts" last by registering before it.
func registerErasureStep(table, sql string) {
	last := erasureSteps[len(erasureSteps)-1]
	erasureSteps = append(erasureSteps[:len(erasureSteps)-1], erasureStep{table, sql}, last)
}

// ErasureInput says whose data to erase and why.
type ErasureInput struct {
	Email  string
	Reason string
	Actor  Actor
}

// Erase removes a contact's personal data everywhere (Art. 17). What stays
// is the keyed hash of the address on the suppression list, so imports and
// campaigns never bring it back, and an audit event that the erasure
// happened, when, by whom and why.
func (s *Store) Erase(ctx context.Context, in ErasureInput) (Contact, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return Contact{}, fmt.Errorf("crm: erase: a reason is required (e.g. \"Art. 17 request of 2026-11-29\"): %w", ErrInvalidInput)
	}
	var c Contact
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if c, err = s.FindContact(ctx, tx, in.Email); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE`, c.ID); err != nil {
			return fmt.Errorf("crm: erase: lock contact: %w", err)
		}
		if err := s.suppressHash(ctx, tx, s.AddressHash(c.Email), AllPurposes, "erasure", c.ID, in.Actor); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SET LOCAL basis.redacting = 'on'`); err != nil {
			return fmt.Errorf("crm: erase: %w", err)
		}
		for _, step := range erasureSteps {
			if _, err := tx.ExecContext(ctx, step.SQL, c.ID, c.Email); err != nil {
				return fmt.Errorf("crm: erase contact %d: %s: %w", c.ID, step.Table, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `SET LOCAL basis.redacting = 'off'`); err != nil {
			return fmt.Errorf("crm: erase: %w", err)
		}
		return s.audit(ctx, tx, in.Actor, "contact.erased", c.ID, map[string]any{"reason": in.Reason})
	})
	if err != nil {
		return Contact{}, err
	}
	return c, nil
}
