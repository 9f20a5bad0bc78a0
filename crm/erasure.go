package crm

import (
	"context"
	"encoding/hex"
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
	// Evidence under legal hold (Art. 17(3)(e)) stays, restricted, until
	// the hold is lifted; see legalhold.go.
	{"evidence", `UPDATE evidence SET content = NULL, file_name = '', metadata = '{}', erased_at = now()
		WHERE contact_id = $1 AND erased_at IS NULL AND ` + notHeld + `)`, false},
	// Unassigned evidence (list mail, messages under review) that carries the address.
	{"evidence", `UPDATE evidence SET content = NULL, file_name = '', metadata = '{}', erased_at = now()
		WHERE contact_id IS NULL AND erased_at IS NULL AND strpos(lower(encode(content, 'escape')), $1) > 0
		AND ` + notHeld + `)`, true},
	// The request stays on the record (it was received and answered); its free text goes.
	{"rights_requests", `UPDATE rights_requests SET note = '', extension_reason = CASE WHEN extension_reason = '' THEN '' ELSE '(erased)' END,
		outcome = CASE WHEN outcome = '' THEN '' ELSE '(erased)' END WHERE contact_id = $1`, false},
	// An unused double opt-in link stops working (the token is kept only as a hash).
	{"consent_requests", `UPDATE consent_requests SET expires_at = least(expires_at, now()) WHERE contact_id = $1 AND used_at IS NULL`, false},
	{"consents", `UPDATE consents SET ip = '', user_agent = '' WHERE contact_id = $1`, false},
	{"activities", `UPDATE activities SET reason = '(erased)', note = '' WHERE contact_id = $1`, false},
	{"bases", `UPDATE bases SET reason = '', withdrawn_at = COALESCE(withdrawn_at, now()),
		withdrawn_reason = 'erasure' WHERE contact_id = $1`, false},
	{"audit_events", `UPDATE audit_events SET payload = '{"redacted":"erasure"}', redacted_at = now()
		WHERE contact_id = $1 AND redacted_at IS NULL`, false},
	// Outbox rows keep no address or name; a queued consent request keeps its
	// rendered text, and a message still waiting is not sent any more: it is
	// closed (finished_at), which takes it out of the sender's queue index.
	{"outbox", `UPDATE outbox SET subject = '', body_text = '', body_html = '', last_error = '',
		finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
		status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END WHERE contact_id = $1`, false},
	// The reason mailin gave a message names its sender ("direct mail from
	// ...", "unsubscribe subject: ..."); blanking the text also empties the
	// full-text vector fts (its trigger, migration 00120).
	{"inbound_messages", `UPDATE inbound_messages SET message_id = '', in_reply_to = '', from_address = '', from_name = '',
		subject = '', preview = '', reason = CASE WHEN reason = '' THEN '' ELSE '(erased)' END WHERE contact_id = $1`, false},
	{"inbound_messages", `UPDATE inbound_messages SET message_id = '', in_reply_to = '', from_address = '', from_name = '',
		subject = '', preview = '', reason = CASE WHEN reason = '' THEN '' ELSE '(erased)' END WHERE from_address = $1`, true},
	{"contacts", `UPDATE contacts SET email = NULL, address_hash = NULL, name = '', company = '', phone = '',
		language = '', status = 'erased', erased_at = now(), updated_at = now() WHERE id = $1`, false},
}

// ErasureInput says whose data to erase and why.
type ErasureInput struct {
	Email  string
	Reason string
	Actor  Actor
}

// notHeld is the condition (to close with ")") that an evidence row is not
// under an active legal hold.
const notHeld = `NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.evidence_id = evidence.id AND h.lifted_at IS NULL`

// Erase removes a contact's personal data everywhere (Art. 17). What stays
// is the keyed hash of the address on the suppression list, so imports and
// campaigns never bring it back, an audit event that the erasure happened,
// when, by whom and why, and the evidence under legal hold (Art. 17(3)(e)),
// restricted until the hold is lifted.
func (s *Store) Erase(ctx context.Context, in ErasureInput) (Contact, error) {
	var c Contact
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if c, err = s.FindContact(ctx, tx, in.Email); err != nil {
			return err
		}
		if err := refuseNamed("reason", in.Reason, c); err != nil {
			return err
		}
		return s.eraseTx(ctx, tx, c, in.Reason, in.Actor, nil)
	})
	if err != nil {
		return Contact{}, err
	}
	return c, nil
}

// eraseTx erases contact c inside tx; extra goes into the contact.erased
// event's payload (the retention rule, the request fulfilled). That event is
// written after the redaction, so it stays whole: with the reason and the
// address's keyed hash, by which ExportErasureRecord finds it.
func (s *Store) eraseTx(ctx context.Context, tx *sqlx.Tx, c Contact, reason string, actor Actor, extra map[string]any) error {
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("crm: erase: a reason is required (e.g. \"Art. 17 request of 2026-11-29\"): %w", ErrInvalidInput)
	}
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE`, c.ID); err != nil {
		return fmt.Errorf("crm: erase: lock contact: %w", err)
	}
	if err := s.suppressHash(ctx, tx, s.AddressHash(c.Email), AllPurposes, "erasure", c.ID, actor); err != nil {
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
	var held int
	if err := tx.GetContext(ctx, &held, `SELECT count(*) FROM evidence WHERE contact_id = $1 AND erased_at IS NULL`, c.ID); err != nil {
		return fmt.Errorf("crm: erase: count held evidence: %w", err)
	}
	// The keyed hash of the address, as on the suppression list, lets the
	// erasure record be found by address later without keeping the address.
	payload := map[string]any{"reason": reason, "address_hash": hex.EncodeToString(s.AddressHash(c.Email))}
	if held > 0 {
		payload["evidence_kept_under_legal_hold"] = held
	}
	for k, v := range extra {
		payload[k] = v
	}
	if err := s.audit(ctx, tx, actor, "contact.erased", c.ID, payload); err != nil {
		return err
	}
	return s.eraseMergedInto(ctx, tx, c, reason, actor, extra)
}

// refuseNamed refuses text a person typed about an erasure (its reason,
// a request's outcome) when it names the erased contact: that text is kept
// on the audit chain, which erasure does not redact, and in the erasure
// record. Texts Basis writes itself (retention, merges) are not checked.
func refuseNamed(field, text string, c Contact) error {
	if what := namedIn(text, c); what != "" {
		return fmt.Errorf("crm: erase: the %s contains the person's %s, which would outlive the erasure on the audit chain; "+
			"say which request it was instead (e.g. \"Art. 17 request by phone of 2026-11-29\"): %w", field, what, ErrInvalidInput)
	}
	return nil
}

// namedIn says what of c's identity text contains ("address", "name" or
// "phone number"), or "". The name counts as its whole words in a row
// ("Mont" is not in "months"); the phone number as its last 7 digits.
func namedIn(text string, c Contact) string {
	low := strings.ToLower(text)
	if c.Email != "" && strings.Contains(low, strings.ToLower(c.Email)) {
		return "address"
	}
	if name := words(c.Name); len(name) > 0 && len(strings.Join(name, "")) >= 4 && containsRun(words(text), name) {
		return "name"
	}
	if phone := digits(c.Phone); len(phone) >= 7 && strings.Contains(digits(text), phone[len(phone)-7:]) {
		return "phone number"
	}
	return ""
}

// eraseMergedInto erases the contacts merged into c: the same person under
// another address is the same person's data.
func (s *Store) eraseMergedInto(ctx context.Context, tx *sqlx.Tx, c Contact, reason string, actor Actor, extra map[string]any) error {
	var merged []Contact
	if err := tx.SelectContext(ctx, &merged, `SELECT `+contactColumns+` FROM contacts WHERE merged_into = $1 AND erased_at IS NULL`, c.ID); err != nil {
		return fmt.Errorf("crm: erase: contacts merged into %d: %w", c.ID, err)
	}
	for _, m := range merged {
		if err := s.eraseTx(ctx, tx, m, fmt.Sprintf("%s (merged into contact %d)", reason, c.ID), actor, extra); err != nil {
			return err
		}
	}
	return nil
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
