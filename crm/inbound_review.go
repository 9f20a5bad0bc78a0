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

// InboundMessage is one fetched message as mailin recorded it (table
// inbound_messages); its raw bytes are the evidence EvidenceID. Every text
// field is hostile input.
type InboundMessage struct {
	ID           int64      `db:"id" json:"id"`
	EvidenceID   int64      `db:"evidence_id" json:"evidence_id"`
	Account      string     `db:"account" json:"account"`
	Mailbox      string     `db:"mailbox" json:"mailbox"`
	FromAddress  string     `db:"from_address" json:"from_address"`
	FromName     string     `db:"from_name" json:"from_name"`
	Subject      string     `db:"subject" json:"subject"`
	Preview      string     `db:"preview" json:"preview"`
	InternalDate time.Time  `db:"internal_date" json:"internal_date"`
	StoredAt     time.Time  `db:"stored_at" json:"stored_at"`
	Size         int64      `db:"size" json:"size"`
	Class        string     `db:"class" json:"class"`
	Reason       string     `db:"reason" json:"reason,omitempty"`
	Review       string     `db:"review" json:"review,omitempty"`
	ReviewedAt   *time.Time `db:"reviewed_at" json:"reviewed_at,omitempty"`
	ContactID    *int64     `db:"contact_id" json:"contact_id,omitempty"`
}

const inboundColumns = `id, evidence_id, account, mailbox, from_address, from_name, subject, preview,
	internal_date, stored_at, size, class, reason, review, reviewed_at, contact_id`

// FlaggedMessages lists inbound messages mailin flagged for review
// (unparseable, oversize, spam, unsubscribe, missing_from, erased_sender)
// that nobody has assigned or dismissed yet, newest first; more reports
// whether another page exists.
func (s *Store) FlaggedMessages(ctx context.Context, limit, offset int) (list []InboundMessage, more bool, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	list = []InboundMessage{}
	err = s.db.SelectContext(ctx, &list, `SELECT `+inboundColumns+` FROM inbound_messages
		WHERE review <> '' AND reviewed_at IS NULL ORDER BY stored_at DESC, id DESC LIMIT $1 OFFSET $2`, limit+1, offset)
	if err != nil {
		return nil, false, fmt.Errorf("crm: messages flagged for review: %w", err)
	}
	if len(list) > limit {
		return list[:limit], true, nil
	}
	return list, false, nil
}

// CountFlaggedMessages counts the messages FlaggedMessages would list.
func (s *Store) CountFlaggedMessages(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM inbound_messages WHERE review <> '' AND reviewed_at IS NULL`)
	if err != nil {
		return 0, fmt.Errorf("crm: count messages flagged for review: %w", err)
	}
	return n, nil
}

// InboundMessageByID returns one inbound message.
func (s *Store) InboundMessageByID(ctx context.Context, q sqlx.QueryerContext, id int64) (InboundMessage, error) {
	var m InboundMessage
	err := sqlx.GetContext(ctx, q, &m, `SELECT `+inboundColumns+` FROM inbound_messages WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("crm: inbound message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("crm: inbound message %d: %w", id, err)
	}
	return m, nil
}

// lockUnreviewed locks an inbound message flagged for review and not yet
// handled, for AssignInbound and DismissInbound.
func (s *Store) lockUnreviewed(ctx context.Context, tx *sqlx.Tx, id int64) (InboundMessage, error) {
	var m InboundMessage
	err := tx.GetContext(ctx, &m, `SELECT `+inboundColumns+` FROM inbound_messages WHERE id = $1 FOR UPDATE`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("crm: inbound message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("crm: inbound message %d: %w", id, err)
	}
	if m.ReviewedAt != nil {
		return m, fmt.Errorf("crm: inbound message %d was already reviewed on %s: %w",
			id, m.ReviewedAt.Format(time.DateOnly), ErrInvalidInput)
	}
	return m, nil
}

// AssignInbound ties an inbound message flagged for review to a contact:
// its evidence is attached to the contact (unless it already is), the
// message row gets the contact and is marked reviewed, and an
// "inbound.assigned" audit event records who did it and why, all in tx.
// The message keeps its classification: assigning records whose it is, it
// grants no basis.
func (s *Store) AssignInbound(ctx context.Context, tx *sqlx.Tx, messageID, contactID int64, reason string, actor Actor) error {
	m, err := s.lockUnreviewed(ctx, tx, messageID)
	if err != nil {
		return err
	}
	c, err := s.GetContact(ctx, tx, contactID)
	if err != nil {
		return fmt.Errorf("crm: assign inbound message %d: %w", messageID, err)
	}
	if c.ErasedAt != nil {
		return fmt.Errorf("crm: assign inbound message %d to contact %d: %w", messageID, contactID, ErrErased)
	}
	var owner *int64
	if err := tx.GetContext(ctx, &owner, `SELECT contact_id FROM evidence WHERE id = $1`, m.EvidenceID); err != nil {
		return fmt.Errorf("crm: assign inbound message %d: evidence %d: %w", messageID, m.EvidenceID, err)
	}
	switch {
	case owner == nil:
		if err := s.AttachEvidence(ctx, tx, m.EvidenceID, contactID, reason, actor); err != nil {
			return err
		}
	case *owner != contactID:
		return fmt.Errorf("crm: inbound message %d belongs to contact %d already (merge the contacts instead): %w",
			messageID, *owner, ErrInvalidInput)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE inbound_messages SET contact_id = $2, reviewed_at = now() WHERE id = $1`,
		messageID, contactID); err != nil {
		return fmt.Errorf("crm: assign inbound message %d: %w", messageID, err)
	}
	return s.audit(ctx, tx, actor, "inbound.assigned", contactID, map[string]any{
		"inbound_message_id": messageID, "evidence_id": m.EvidenceID, "review": m.Review, "reason": reason})
}

// DismissInbound marks an inbound message flagged for review as handled
// without tying it to anyone, with an "inbound.dismissed" audit event. The
// raw message stays as evidence.
func (s *Store) DismissInbound(ctx context.Context, tx *sqlx.Tx, messageID int64, reason string, actor Actor) error {
	m, err := s.lockUnreviewed(ctx, tx, messageID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE inbound_messages SET reviewed_at = now() WHERE id = $1`, messageID); err != nil {
		return fmt.Errorf("crm: dismiss inbound message %d: %w", messageID, err)
	}
	var contactID int64
	if m.ContactID != nil {
		contactID = *m.ContactID
	}
	return s.audit(ctx, tx, actor, "inbound.dismissed", contactID, map[string]any{
		"inbound_message_id": messageID, "evidence_id": m.EvidenceID, "review": m.Review,
		"reason": strings.TrimSpace(reason)})
}

// InboundOf lists the inbound messages tied to a contact, newest first, at
// most limit.
func (s *Store) InboundOf(ctx context.Context, q sqlx.QueryerContext, contactID int64, limit int) ([]InboundMessage, error) {
	out := []InboundMessage{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+inboundColumns+` FROM inbound_messages
		WHERE contact_id = $1 ORDER BY internal_date DESC, id DESC LIMIT $2`, contactID, limit)
	if err != nil {
		return nil, fmt.Errorf("crm: inbound messages of contact %d: %w", contactID, err)
	}
	return out, nil
}

// SearchInbound finds inbound messages whose subject, sender name or
// preview match query (PostgreSQL full-text search, web-search syntax:
// words, "a phrase", -not, or), newest first. It reads the column fts,
// to_tsvector('simple', subject || ' ' || from_name || ' ' || preview) kept
// by a trigger (migration 00120), which the GIN index inbound_messages_fts
// covers.
func (s *Store) SearchInbound(ctx context.Context, query string, limit, offset int) (found []InboundMessage, more bool, err error) {
	query = strings.TrimSpace(query)
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	found = []InboundMessage{}
	if query == "" {
		return found, false, nil
	}
	const q = `SELECT ` + inboundColumns + ` FROM inbound_messages
		WHERE fts @@ websearch_to_tsquery('simple', $1)
		ORDER BY internal_date DESC, id DESC LIMIT $2 OFFSET $3`
	if err := s.db.SelectContext(ctx, &found, q, query, limit+1, offset); err != nil {
		return nil, false, fmt.Errorf("crm: search messages %q: %w", query, err)
	}
	if len(found) > limit {
		return found[:limit], true, nil
	}
	return found, false, nil
}
