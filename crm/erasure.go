package crm

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// erasureStep removes a contact's personal data from one table. $1 is the
// contact id, or its normalized address when ByAddress is set (for rows that
// name the address without being tied to the contact).
type erasureStep struct {
	Table     string
	SQL       string
	ByAddress bool
}

// erasureSteps lists, for every table that holds personal data, how erasure
// clears it. A test fails when a table with a contact_id column is missing
// here, so a new table cannot be forgotten: add its step when you add it.
var erasureSteps = []erasureStep{
	{"evidence", `UPDATE evidence SET content = NULL, file_name = '', metadata = '{}', erased_at = now()
		WHERE contact_id = $1 AND erased_at IS NULL`, false},
	// Unassigned evidence (list mail, messages under review) that carries the address.
	{"evidence", `UPDATE evidence SET content = NULL, file_name = '', metadata = '{}', erased_at = now()
		WHERE contact_id IS NULL AND erased_at IS NULL AND strpos(lower(encode(content, 'escape')), $1) > 0`, true},
	{"consents", `UPDATE consents SET ip = '', user_agent = '' WHERE contact_id = $1`, false},
	{"activities", `UPDATE activities SET reason = '(erased)', note = '' WHERE contact_id = $1`, false},
	{"bases", `UPDATE bases SET reason = '', withdrawn_at = COALESCE(withdrawn_at, now()),
		withdrawn_reason = 'erasure' WHERE contact_id = $1`, false},
	{"audit_events", `UPDATE audit_events SET payload = '{"redacted":"erasure"}', redacted_at = now()
		WHERE contact_id = $1 AND redacted_at IS NULL`, false},
	// Outbox rows keep no address or name; a queued consent request keeps its
	// rendered text, and a message still waiting is not sent any more.
	{"outbox", `UPDATE outbox SET subject = '', body_text = '', body_html = '', last_error = '',
		status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END WHERE contact_id = $1`, false},
	{"inbound_messages", `UPDATE inbound_messages SET message_id = '', in_reply_to = '', from_address = '', from_name = '',
		subject = '', preview = '' WHERE contact_id = $1`, false},
	{"inbound_messages", `UPDATE inbound_messages SET message_id = '', in_reply_to = '', from_address = '', from_name = '',
		subject = '', preview = '' WHERE from_address = $1`, true},
	{"contacts", `UPDATE contacts SET email = NULL, address_hash = NULL, name = '', company = '', phone = '',
		language = '', status = 'erased', erased_at = now(), updated_at = now() WHERE id = $1`, false},
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
			var arg any = c.ID
			if step.ByAddress {
				arg = c.Email
			}
			if _, err := tx.ExecContext(ctx, step.SQL, arg); err != nil {
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

// ErasureTables lists the tables erasure clears, for the test that checks
// no table holding contact data is forgotten.
func ErasureTables() []string {
	out := make([]string, 0, len(erasureSteps))
	for _, s := range erasureSteps {
		out = append(out, s.Table)
	}
	return out
}
