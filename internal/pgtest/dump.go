package pgtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Dump returns every row of every table in the public schema as text, one
// line per row ("table: column=value ..."), for tests that search the whole
// database for leftovers. bytea values appear as their raw bytes, so an
// address inside a stored message is found as it was received; NULL is
// written NULL.
func Dump(t testing.TB, db *sqlx.DB) string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	const q = `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`
	if err := db.SelectContext(ctx, &tables, q); err != nil {
		t.Fatalf("pgtest: dump: list tables: %v", err)
	}
	var b strings.Builder
	for _, table := range tables {
		if err := dumpTable(ctx, db, table, &b); err != nil {
			t.Fatalf("pgtest: dump %s: %v", table, err)
		}
	}
	return b.String()
}

func dumpTable(ctx context.Context, db *sqlx.DB, table string, b *strings.Builder) error {
	rows, err := db.QueryContext(ctx, "SELECT * FROM "+pq.QuoteIdentifier(table))
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		b.WriteString(table + ":")
		for i, c := range cols {
			b.WriteString(" " + c + "=" + text(vals[i]))
		}
		b.WriteString("\n")
	}
	return rows.Err()
}

func text(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(v)
	}
}
