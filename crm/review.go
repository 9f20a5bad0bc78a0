package crm

import (
	"context"
	"fmt"
	"time"
)

// ReviewItem is a newly captured prospect waiting for staff, with the
// message that created it as mailin recorded it (subject, sender and a
// plain-text preview: hostile input, to be escaped when shown). It holds
// only what the queue shows: reading all of a contact's columns for 50 rows
// was a fifth of the review page's CPU time.
type ReviewItem struct {
	ID             int64
	Email          string
	Name           string
	Company        string
	CreatedAt      time.Time
	EvidenceID     *int64
	MessageSubject string
	MessageFrom    string
	MessagePreview string
}

// reviewQuery lists contacts in status "new", newest first, each with the
// first inbound message that concerns it; a prepared statement.
const reviewQuery = `SELECT c.id, COALESCE(c.email, ''), c.name, c.company, c.created_at, m.evidence_id,
		COALESCE(m.subject, ''), COALESCE(trim(m.from_name || ' <' || m.from_address || '>'), ''), COALESCE(left(m.preview, 400), '')
	FROM contacts c
	LEFT JOIN LATERAL (
		SELECT evidence_id, subject, from_name, from_address, preview FROM inbound_messages
		WHERE contact_id = c.id ORDER BY internal_date LIMIT 1) m ON true
	WHERE c.status = 'new'
	ORDER BY c.created_at DESC, c.id DESC LIMIT $1 OFFSET $2`

// ReviewQueue returns contacts in status "new", newest first, each with the
// first inbound message that concerns it.
func (s *Store) ReviewQueue(ctx context.Context, limit, offset int) ([]ReviewItem, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	stmt, err := s.prepared(ctx, reviewQuery)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("crm: review queue: %w", err)
	}
	defer rows.Close()
	out := make([]ReviewItem, 0, limit)
	for rows.Next() {
		var it ReviewItem
		if err := rows.Scan(&it.ID, &it.Email, &it.Name, &it.Company, &it.CreatedAt, &it.EvidenceID,
			&it.MessageSubject, &it.MessageFrom, &it.MessagePreview); err != nil {
			return nil, fmt.Errorf("crm: review queue: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("crm: review queue: %w", err)
	}
	return out, nil
}
