package mailin

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// sentMessageContact finds a message Basis sent (the outbox of mailout) by
// Message-ID; mailin does not import mailout, so it reads the table by name
// when it exists.
func sentMessageContact(ctx context.Context, q sqlx.QueryerContext, ids []string) (int64, bool, error) {
	var exists bool
	if err := sqlx.GetContext(ctx, q, &exists, `SELECT to_regclass('public.outbox') IS NOT NULL`); err != nil || !exists {
		return 0, false, err
	}
	bracketed := make([]string, 0, 2*len(ids))
	for _, id := range ids {
		bracketed = append(bracketed, id, "<"+id+">")
	}
	var contact []int64
	err := sqlx.SelectContext(ctx, q, &contact, `SELECT contact_id FROM outbox WHERE message_id = ANY($1) LIMIT 1`, pq.Array(bracketed))
	if err != nil {
		return 0, false, fmt.Errorf("mailin: sent-message lookup: %w", err)
	}
	if len(contact) > 0 {
		return contact[0], true, nil
	}
	return 0, false, nil
}

func pqStrings(s []string) any { return pq.Array(s) }
