package crm

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// maxSearchWords bounds the words of a contact search (each is one index
// lookup).
const maxSearchWords = 8

// SearchContacts finds contacts by what a person typed, skipping offset and
// returning at most limit; more reports whether another page exists. First
// come the contacts named exactly as the query (case-insensitive), then
// those having every word of it as a whole word of their address, name or
// company; when neither exists, the last word may instead be the beginning
// of a word, so that "giulia.b", "mario ross" or "person12" find what is
// being typed. Each group is newest first. Words are runs of letters and
// digits; punctuation only separates them (no wildcards).
//
// The word match is the expression of the GIN index contacts_search_words
// (migration 00090), the name match reads contacts_name (00091) in order:
// for a common full name that is the rows of one page, where the word index
// yields every match to sort. A prefix is tried last because the index then
// collects every word it begins. The search runs without parallel workers:
// the planner guesses thousands of rows for a prefix, and starting workers
// costs more than reading the few rows an address matches.
func (s *Store) SearchContacts(ctx context.Context, query string, limit, offset int) (found []ContactHit, more bool, err error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	words := searchWords(query)
	if len(words) == 0 {
		return []ContactHit{}, false, nil
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
		return nil, false, fmt.Errorf("crm: search %q: %w", query, err)
	}
	if found, err = searchTiers(ctx, tx, words, strings.Join(strings.Fields(strings.ToLower(query)), " "), limit+1, offset); err != nil {
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

// searchTiers returns n rows from offset of: the contacts named name, then
// the other contacts having every word, or when there are none of either,
// those having every word with the last as a prefix.
func searchTiers(ctx context.Context, tx *sqlx.Tx, words []string, name string, n, offset int) ([]ContactHit, error) {
	found, err := selectHits(ctx, tx, searchNameSQL, name, n, offset)
	if err != nil {
		return nil, err
	}
	if len(found) == n {
		return found, nil
	}
	named := offset + len(found) // how many contacts are named name
	if len(found) == 0 && offset > 0 {
		if err := tx.GetContext(ctx, &named, searchNameCountSQL, name); err != nil {
			return nil, err
		}
	}
	whole := searchQuery(words, false)
	rest, err := selectHits(ctx, tx, searchWordsSQL, whole, n-len(found), max(0, offset-named), name)
	if err != nil {
		return nil, err
	}
	found = append(found, rest...)
	if len(found) > 0 || named > 0 {
		return found, nil
	}
	if offset > 0 { // past the end of the whole-word matches, or there are none?
		var any bool
		if err := tx.GetContext(ctx, &any, searchAnySQL, whole); err != nil || any {
			return found, err
		}
	}
	return selectHits(ctx, tx, searchWordsSQL, searchQuery(words, true), n, offset, name)
}

// ContactHit is a contact as search results list it.
type ContactHit struct {
	ID        int64
	Email     string
	Name      string
	Company   string
	Status    string
	CreatedAt time.Time
}

// hitColumns are the columns of a ContactHit, in selectHits' order.
const hitColumns = `id, COALESCE(email, ''), name, company, status, created_at`

// selectHits runs q, which selects hitColumns, scanning without
// reflection (51 full contacts per page cost a fifth of the page's CPU).
func selectHits(ctx context.Context, tx *sqlx.Tx, q string, args ...any) ([]ContactHit, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hits := []ContactHit{}
	for rows.Next() {
		var h ContactHit
		if err := rows.Scan(&h.ID, &h.Email, &h.Name, &h.Company, &h.Status, &h.CreatedAt); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// searchMatch is the word condition of a contact search, $1 being a tsquery.
const searchMatch = `erased_at IS NULL AND to_tsvector('simple', regexp_replace(lower(COALESCE(email, '') || ' ' || name || ' ' || company),
	'[^[:alnum:]]+', ' ', 'g')) @@ $1::tsquery`

const (
	searchNameSQL = `SELECT ` + hitColumns + ` FROM contacts WHERE erased_at IS NULL AND lower(name) = $1
		ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`
	searchNameCountSQL = `SELECT count(*) FROM contacts WHERE erased_at IS NULL AND lower(name) = $1`
	searchWordsSQL     = `SELECT ` + hitColumns + ` FROM contacts WHERE ` + searchMatch + ` AND lower(name) <> $4
		ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`
	searchAnySQL = `SELECT EXISTS (SELECT 1 FROM contacts WHERE ` + searchMatch + `)`
)

// searchWords are the words of what a person typed, lowercased, at most
// maxSearchWords.
func searchWords(query string) []string {
	ws := words(query)
	if len(ws) > maxSearchWords {
		ws = ws[:maxSearchWords]
	}
	return ws
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
