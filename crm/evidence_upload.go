package crm

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// uploadChunk is the size above which evidence content is sent in pieces:
// lib/pq sends a bytea parameter hex-encoded in one buffer, so a 40 MB
// message would cost four times its size in memory at once.
const uploadChunk = 1 << 20

// contentParam returns the SQL expression for the evidence content: the
// plain parameter $4 for small content, or, for large content, uploads it in
// chunks to a session-local table and returns the expression that joins
// them back together inside PostgreSQL (the $4 parameter is then NULL).
func contentParam(ctx context.Context, tx *sqlx.Tx, content []byte) (string, error) {
	if len(content) <= uploadChunk {
		return "$4", nil
	}
	stmts := []string{
		`CREATE TEMP TABLE IF NOT EXISTS evidence_upload (seq int NOT NULL, chunk bytea NOT NULL) ON COMMIT DELETE ROWS`,
		`DELETE FROM evidence_upload`,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return "", fmt.Errorf("crm: evidence upload: %w", err)
		}
	}
	for seq, off := 0, 0; off < len(content); seq, off = seq+1, off+uploadChunk {
		end := min(off+uploadChunk, len(content))
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence_upload (seq, chunk) VALUES ($1, $2)`, seq, content[off:end]); err != nil {
			return "", fmt.Errorf("crm: evidence upload, chunk %d: %w", seq, err)
		}
	}
	return `(SELECT COALESCE($4::bytea, string_agg(chunk, ''::bytea ORDER BY seq)) FROM evidence_upload)`, nil
}
