package mailout

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// Without statistics that match the tables, the planner plans for empty
// ones: right after a large import it joined 20,000 contacts to their bases
// in a nested loop comparing every pair (seconds to minutes instead of
// milliseconds), and right after a campaign's materialization it sorted the
// whole queue for every claim. Autovacuum analyzes eventually; these
// functions analyze now, when a query is about to depend on it.

// audienceTables are the tables the audience and eligibility queries read.
var audienceTables = []string{"contacts", "bases", "suppressions"}

// freshStats analyzes those of tables never analyzed or changed a lot since
// (autovacuum's threshold: 50 rows plus 10%, as the cumulative statistics
// report it; a process that changed them has reported when it exited, a
// long-lived one within seconds).
func (m *Mailer) freshStats(ctx context.Context, tables ...string) error {
	const q = `
		SELECT c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
		WHERE n.nspname = current_schema() AND c.relname = ANY($1)
			AND (c.reltuples < 0 OR s.n_mod_since_analyze > 50 + 0.1 * c.reltuples)`
	var stale []string
	if err := m.db.SelectContext(ctx, &stale, q, pq.Array(tables)); err != nil {
		return fmt.Errorf("mailout: table statistics: %w", err)
	}
	return m.analyze(ctx, stale...)
}

// analyzeGrown analyzes table after this process added rows to it, if they
// are many for its size as the planner knows it (the statistics of the
// insert itself may not be reported yet).
func (m *Mailer) analyzeGrown(ctx context.Context, table string, added int) error {
	var tuples float64
	if err := m.db.GetContext(ctx, &tuples, `SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)`, table); err != nil {
		return fmt.Errorf("mailout: table statistics of %s: %w", table, err)
	}
	if float64(added) <= 50+0.1*max(tuples, 0) {
		return nil
	}
	return m.analyze(ctx, table)
}

func (m *Mailer) analyze(ctx context.Context, tables ...string) error {
	for _, t := range tables {
		if _, err := m.db.ExecContext(ctx, `ANALYZE `+pq.QuoteIdentifier(t)); err != nil {
			return fmt.Errorf("mailout: analyze %s: %w", t, err)
		}
	}
	return nil
}
