package mailin

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/basis-crm/basis/crm"
)

// mailbox names one checkpointed mailbox generation.
type mailbox struct {
	Account     string
	Mailbox     string
	UIDValidity uint32
}

// checkpoint returns the last UID processed in this mailbox generation.
func checkpoint(ctx context.Context, q sqlx.QueryerContext, mb mailbox) (uint32, error) {
	var last int64
	err := sqlx.GetContext(ctx, q, &last, `SELECT last_uid FROM mailbox_checkpoints
		WHERE account = $1 AND mailbox = $2 AND uidvalidity = $3`, mb.Account, mb.Mailbox, int64(mb.UIDValidity))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("mailin: read checkpoint of %s/%s: %w", mb.Account, mb.Mailbox, err)
	}
	return uint32(last), nil
}

// advance moves the checkpoint forward inside the transaction that stored
// the messages up to uid.
func advance(ctx context.Context, tx *sqlx.Tx, mb mailbox, uid uint32) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO mailbox_checkpoints (account, mailbox, uidvalidity, last_uid, updated_at) VALUES ($1, $2, $3, $4, now())
		ON CONFLICT (account, mailbox, uidvalidity) DO UPDATE SET last_uid = greatest(mailbox_checkpoints.last_uid, EXCLUDED.last_uid), updated_at = now()`,
		mb.Account, mb.Mailbox, int64(mb.UIDValidity), int64(uid))
	if err != nil {
		return fmt.Errorf("mailin: advance checkpoint of %s/%s: %w", mb.Account, mb.Mailbox, err)
	}
	return nil
}

// storedAmong returns which of the batch's exact bytes were stored from
// this mailbox before (a rescan after a UIDVALIDITY change, or a
// redelivery), in one query for the whole batch.
func storedAmong(ctx context.Context, q sqlx.QueryerContext, mb mailbox, batch []*parsed) (map[[32]byte]bool, error) {
	sums := make([][]byte, len(batch))
	for i, p := range batch {
		sums[i] = p.m.SHA256[:]
	}
	var found [][]byte
	err := sqlx.SelectContext(ctx, q, &found, `SELECT DISTINCT sha256 FROM inbound_messages
		WHERE account = $1 AND mailbox = $2 AND sha256 = ANY($3)`, mb.Account, mb.Mailbox, pq.ByteaArray(sums))
	if err != nil {
		return nil, fmt.Errorf("mailin: duplicate check: %w", err)
	}
	stored := make(map[[32]byte]bool, len(found))
	for _, sum := range found {
		if len(sum) == sha256.Size {
			stored[[32]byte(sum)] = true
		}
	}
	return stored, nil
}

// previewBytes bounds the text kept as a message's preview: what lists show
// under the subject and what full-text search (the GIN index
// inbound_messages_fts over subject, sender name and preview) covers; the
// whole text stays in the evidence. 4,000 bytes hold the whole text of
// nearly every inquiry, forwarded ones included. Indexing costs PostgreSQL
// about 0.1 µs per character at ingest (about a third of the ingest time;
// 1,000 bytes would save most of it, at the price of searches that miss
// what a longer inquiry says further down: docs/benchmarks.md, mailin).
const previewBytes = 4000

// analyzeIfNew gives inbound_messages its first statistics once it holds a
// batch. Without any, PostgreSQL takes every row for one mailbox as rare and
// answers storedAmong by scanning the mailbox's rows through the
// (account, mailbox, uidvalidity, uid) index instead of probing the SHA-256
// index: on a new database the duplicate check of each batch read every
// message stored so far.
func analyzeIfNew(ctx context.Context, db *sqlx.DB) error {
	_, err := db.ExecContext(ctx, `DO $$
		BEGIN
			IF EXISTS (SELECT 1 FROM pg_stat_user_tables WHERE relid = 'inbound_messages'::regclass
				AND last_analyze IS NULL AND last_autoanalyze IS NULL) THEN
				ANALYZE inbound_messages;
			END IF;
		END $$`)
	if err != nil {
		return fmt.Errorf("mailin: analyze inbound_messages: %w", err)
	}
	return nil
}

// inboundRow is one row of inbound_messages.
type inboundRow struct {
	EvidenceID   int64
	SHA256       [32]byte
	UID          uint32
	MessageID    string
	InReplyTo    string
	FromAddress  string
	FromName     string
	Subject      string
	Preview      string
	InternalDate time.Time
	Size         int64
	Class        Class
	Reason       string
	Review       string
	ContactID    int64
	FTS          *ftsVector // the full-text vector computed ahead, or nil
}

func insertInbound(ctx context.Context, tx *sqlx.Tx, mb mailbox, r inboundRow) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid, message_id, in_reply_to,
			from_address, from_name, subject, preview, internal_date, size, class, reason, review, contact_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULLIF($18, 0))`,
		r.EvidenceID, r.SHA256[:], mb.Account, mb.Mailbox, int64(mb.UIDValidity), int64(r.UID), clean(r.MessageID, 998), clean(r.InReplyTo, 998),
		clean(r.FromAddress, 320), cleanFromName(r.FromName), cleanSubject(r.Subject), cleanPreview(r.Preview), r.InternalDate, r.Size,
		string(r.Class), clean(r.Reason, 500), r.Review, r.ContactID)
	if err != nil {
		return fmt.Errorf("mailin: record message uid %d: %w", r.UID, err)
	}
	return nil
}

// knownMessageID reports whether a Message-ID we stored or sent (the
// outbox of mailout, read by table name: mailin does not import mailout) is
// referenced, so that mail in a thread is a reply, not a new inquiry. Stored
// mail is looked up first, then sent mail.
func knownMessageID(ctx context.Context, q sqlx.QueryerContext, ids []string) (int64, bool, error) {
	inbound, outbox, err := knownMessageIDs(ctx, q, ids)
	if err != nil {
		return 0, false, err
	}
	for _, known := range []map[string]int64{inbound, outbox} {
		for _, id := range ids {
			if contact, ok := known[id]; ok {
				return contact, true, nil
			}
		}
	}
	return 0, false, nil
}

// clean makes text safe for a PostgreSQL text column: valid UTF-8, no NUL,
// bounded length.
func clean(s string, max int) string {
	if len(s) > 4*max {
		s = s[:4*max] // what follows cannot reach the result; a long text is not scanned whole
	}
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "")
	}
	return s
}

// cleanSubject, cleanFromName and cleanPreview are the subject, sender name
// and preview as inbound_messages stores them (and full-text search
// covers them).
func cleanSubject(s string) string  { return clean(s, 998) }
func cleanFromName(s string) string { return clean(s, 320) }
func cleanPreview(s string) string  { return clean(s, previewBytes) }

func pqStrings(s []string) any { return pq.Array(s) }

// insertInbounds records many messages with multi-row INSERTs of up to a
// thousand rows and crm.MaxBytesPerInsert of parameters each (lib/pq
// builds each statement in one buffer that grows by copying), with the
// full-text vectors computed ahead (a row without one gets it from the
// table's trigger).
func insertInbounds(ctx context.Context, tx *sqlx.Tx, mb mailbox, rows []inboundRow) error {
	const cols = 16
	for start := 0; start < len(rows); {
		var q strings.Builder
		q.Grow(256 + 100*cols*min(len(rows)-start, 100))
		q.WriteString(`INSERT INTO inbound_messages (account, mailbox, uidvalidity, evidence_id, sha256, uid, message_id, in_reply_to,
			from_address, from_name, subject, preview, internal_date, size, class, reason, review, contact_id, fts) VALUES `)
		args := make([]any, 0, 3+min(len(rows)-start, 100)*cols)
		args = append(args, mb.Account, mb.Mailbox, int64(mb.UIDValidity))
		end, size := start, 0
		for ; end < len(rows) && end-start < 1000 && size < crm.MaxBytesPerInsert; end++ {
			r := rows[end]
			if end > start {
				q.WriteByte(',')
			}
			q.WriteString("($1, $2, $3::bigint")
			for c := range cols {
				switch c {
				case cols - 2:
					fmt.Fprintf(&q, ", NULLIF($%d::bigint, 0)", len(args)+c+1)
				case cols - 1:
					fmt.Fprintf(&q, ", $%d::tsvector)", len(args)+c+1) // binary: see vectorFor
				default:
					fmt.Fprintf(&q, ", $%d", len(args)+c+1)
				}
			}
			name, subject, preview := cleanFromName(r.FromName), cleanSubject(r.Subject), cleanPreview(r.Preview)
			vector := r.vectorFor(subject, name, preview)
			if v, ok := vector.([]byte); ok {
				size += len(v)
			}
			size += len(name) + len(subject) + len(preview) + len(r.MessageID) + len(r.InReplyTo) + len(r.Reason) + 200
			args = append(args, r.EvidenceID, r.SHA256[:], int64(r.UID), clean(r.MessageID, 998), clean(r.InReplyTo, 998),
				clean(r.FromAddress, 320), name, subject, preview, r.InternalDate, r.Size,
				string(r.Class), clean(r.Reason, 500), r.Review, r.ContactID, vector)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("mailin: record %d messages (uid %d to %d): %w", end-start, rows[start].UID, rows[end-1].UID, err)
		}
		start = end
	}
	return nil
}
