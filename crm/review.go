package crm

import (
	"context"
	"fmt"
)

// ReviewItem is a newly captured prospect waiting for staff, with the start
// of the message that created it.
type ReviewItem struct {
	Contact
	EvidenceID *int64 `db:"evidence_id"`
	// Head is the first bytes (at most 16 KiB) of the raw message, for a
	// preview; it is hostile input and must be escaped when shown.
	Head []byte `db:"head"`
}

// ReviewQueue returns contacts in status "new", newest first, each with the
// first inbound message kept as its evidence.
func (s *Store) ReviewQueue(ctx context.Context, limit, offset int) ([]ReviewItem, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT ` + contactColumnsOf("c") + `, e.id AS evidence_id, e.head
		FROM contacts c
		LEFT JOIN LATERAL (
			SELECT id, substring(content FROM 1 FOR 16384) AS head FROM evidence
			WHERE contact_id = c.id AND kind IN ('inbound_email', 'forwarded_email') AND erased_at IS NULL
			ORDER BY contact_id, kind, received_at LIMIT 1) e ON true
		WHERE c.status = 'new'
		ORDER BY c.created_at DESC, c.id DESC LIMIT $1 OFFSET $2`
	out := []ReviewItem{}
	if err := s.db.SelectContext(ctx, &out, q, limit, offset); err != nil {
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
