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
// page exists. Words are runs of letters and digits, case-insensitive, and
// every one must be a word of the contact's address, name or company. When
// no contact has them all as whole words, the last word may instead be the
// beginning of a word, so that "giulia.b", "mario ross" or "person12" find
// what is being typed. Punctuation only separates words (no wildcards).
//
// The expression is the one of the GIN index contacts_search_words
// (migration 00090). Whole words first: a prefix makes the index collect
// every word it begins, which for a common name cost more than the rest of
// the search. The search runs without parallel workers: the planner guesses
// thousands of rows for a prefix, and starting workers costs more than
// reading the few rows an address matches.
func (s *Store) SearchContacts(ctx context.Context, query string, limit, offset int) (found []Contact, more bool, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	found = []Contact{}
	words := searchWords(query)
	if len(words) == 0 {
		return found, false, nil
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	whole := searchQuery(words, false)
	if err := tx.SelectContext(ctx, &found, searchSQL, whole, limit+1, offset); err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	if len(found) == 0 {
		var any bool
		if offset > 0 {
			if err := tx.GetContext(ctx, &any, searchAnySQL, whole); err != nil {
				return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
			}
		}
		if !any {
			if err := tx.SelectContext(ctx, &found, searchSQL, searchQuery(words, true), limit+1, offset); err != nil {
				return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	if len(found) > limit {
		return found[:limit], true, nil
	}
	return found, false, nil
}

// searchMatch is the condition of a contact search, $1 being a tsquery.
const searchMatch = `erased_at IS NULL AND to_tsvector('simple', regexp_replace(lower(COALESCE(email, '') || ' ' || name || ' ' || company),
	'[^[:alnum:]]+', ' ', 'g')) @@ $1::tsquery`

const (
	searchSQL    = `SELECT ` + contactColumns + ` FROM contacts WHERE ` + searchMatch + ` ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`
	searchAnySQL = `SELECT EXISTS (SELECT 1 FROM contacts WHERE ` + searchMatch + `)`
)

// searchWords are the words of what a person typed, lowercased, at most
// maxSearchWords.
func searchWords(query string) []string {
	words := strings.FieldsFunc(strings.ToLower(query), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	return words
}

// searchQuery is a tsquery requiring every word, the last one as a prefix
// when prefix is set. Words hold only letters and digits, so they need no
// quoting beyond the quotes around each.
func searchQuery(words []string, prefix bool) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString("'" + w + "'")
	}
	if prefix {
		b.WriteString(":*")
	}
	return b.String()
}
