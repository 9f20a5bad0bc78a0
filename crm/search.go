package crm

import (
	"context"
	"fmt"
	"strings"
)

// SearchContacts finds contacts whose address, name or company contains
// query (case-insensitive), newest first, skipping offset and returning at
// most limit; more reports whether another page exists. The trigram index of
// migration 00030 serves queries of three characters or more.
func (s *Store) SearchContacts(ctx context.Context, query string, limit, offset int) (found []Contact, more bool, err error) {
	query = strings.ToLower(strings.TrimSpace(query))
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if query == "" {
		return []Contact{}, false, nil
	}
	pattern := "%" + likeEscaper.Replace(query) + "%"
	const q = `SELECT ` + contactColumns + ` FROM contacts
		WHERE erased_at IS NULL AND lower(COALESCE(email, '') || ' ' || name || ' ' || company) LIKE $1
		ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`
	found = []Contact{}
	if err := s.db.SelectContext(ctx, &found, q, pattern, limit+1, offset); err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	if len(found) > limit {
		return found[:limit], true, nil
	}
	return found, false, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
