package crm

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"
)

// maxSearchWords bounds the words of a contact search (each is one index
// lookup).
const maxSearchWords = 8

// SearchContacts finds contacts by the words of query, newest first,
// skipping offset and returning at most limit; more reports whether another
// page exists. Words are runs of letters and digits, case-insensitive: each
// must be a whole word of the contact's address, name or company, and the
// last one may be the beginning of a word, so that "giulia.b" or "person12"
// find what is being typed. Punctuation only separates words (no wildcards).
//
// The expression is the one of the GIN index contacts_search_words
// (migration 00090). The search runs without parallel workers: the planner
// guesses thousands of rows for a prefix, and starting workers costs more
// than reading the few rows an address matches.
func (s *Store) SearchContacts(ctx context.Context, query string, limit, offset int) (found []Contact, more bool, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	found = []Contact{}
	tsq := searchQuery(query)
	if tsq == "" {
		return found, false, nil
	}
	const q = `SELECT ` + contactColumns + ` FROM contacts
		WHERE erased_at IS NULL AND to_tsvector('simple', regexp_replace(lower(COALESCE(email, '') || ' ' || name || ' ' || company),
			'[^[:alnum:]]+', ' ', 'g')) @@ $1::tsquery
		ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	if err := tx.SelectContext(ctx, &found, q, tsq, limit+1, offset); err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	if len(found) > limit {
		return found[:limit], true, nil
	}
	return found, false, nil
}

// searchQuery turns what a person typed into a tsquery: its words,
// lowercased, all required, the last one as a prefix; "" when there is no
// word. Words hold only letters and digits, so they need no quoting beyond
// the quotes around each.
func searchQuery(query string) string {
	words := strings.FieldsFunc(strings.ToLower(query), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	if len(words) == 0 {
		return ""
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString("'" + w + "'")
	}
	b.WriteString(":*")
	return b.String()
}
