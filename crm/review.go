package crm

import (
	"context"
	"fmt"
)

// ReviewItem is a newly captured prospect waiting for staff, with the
// message that created it as mailin recorded it (subject, sender and a
// plain-text preview: hostile input, to be escaped when shown).
type ReviewItem struct {
	Contact
	EvidenceID     *int64 `db:"evidence_id"`
	MessageSubject string `db:"message_subject"`
	MessageFrom    string `db:"message_from"`
	MessagePreview string `db:"message_preview"`
}

// ReviewQueue returns contacts in status "new", newest first, each with the
// first inbound message that concerns it.
func (s *Store) ReviewQueue(ctx context.Context, limit, offset int) ([]ReviewItem, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT ` + contactColumnsOf("c") + `, m.evidence_id, COALESCE(m.subject, '') AS message_subject,
			COALESCE(trim(m.from_name || ' <' || m.from_address || '>'), '') AS message_from,
			COALESCE(left(m.preview, 400), '') AS message_preview
		FROM contacts c
		LEFT JOIN LATERAL (
			SELECT evidence_id, subject, from_name, from_address, preview FROM inbound_messages
			WHERE contact_id = c.id ORDER BY internal_date LIMIT 1) m ON true
		WHERE c.status = 'new'
		ORDER BY c.created_at DESC, c.id DESC LIMIT $1 OFFSET $2`
	stmt, err := s.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	out := []ReviewItem{}
	if err := stmt.SelectContext(ctx, &out, limit, offset); err != nil {
		return nil, fmt.Errorf("crm: review queue: %w", err)
	}
	return out, nil
}

// contactColumnsOf is contactColumns qualified by a table alias.
func contactColumnsOf(a string) string {
	return a + `.id, COALESCE(` + a + `.email, '') AS email, ` + a + `.name, ` + a + `.company, ` + a + `.phone, ` +
		a + `.language, ` + a + `.status, ` + a + `.source, ` + a + `.previously_erased, ` + a + `.created_at, ` +
		a + `.updated_at, ` + a + `.last_activity_at, ` + a + `.erased_at`
}
