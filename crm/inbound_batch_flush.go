package crm

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Flush writes everything the batch recorded inside tx, in dependency
// order (ids, contacts, evidence, bases, activities, changes to existing
// contacts, the audit events, then the capture hooks of the new contacts),
// a statement or two each. Afterwards ContactID and EvidenceID resolve refs, and the
// batch is not to be used for further writes. ErrBatchConflict means a
// contact to create exists by now: roll tx back.
func (b *InboundBatch) Flush(ctx context.Context, tx *sqlx.Tx) error {
	if len(b.events) == 0 {
		return nil
	}
	steps := []func(context.Context, *sqlx.Tx) error{b.takeIDs, b.insertContacts, b.insertEvidence,
		b.insertBases, b.insertActivities, b.touchContacts, b.appendEvents, b.runCaptureHooks}
	for _, step := range steps {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// takeIDs takes the ids of every row to insert from the tables' sequences,
// in one round trip: the rows refer to each other before they exist.
func (b *InboundBatch) takeIDs(ctx context.Context, tx *sqlx.Tx) error {
	const q = `SELECT
		ARRAY(SELECT nextval(pg_get_serial_sequence('contacts', 'id')) FROM generate_series(1, $1) ORDER BY 1),
		ARRAY(SELECT nextval(pg_get_serial_sequence('evidence', 'id')) FROM generate_series(1, $2) ORDER BY 1),
		ARRAY(SELECT nextval(pg_get_serial_sequence('bases', 'id')) FROM generate_series(1, $3) ORDER BY 1),
		ARRAY(SELECT nextval(pg_get_serial_sequence('activities', 'id')) FROM generate_series(1, $4) ORDER BY 1)`
	var c, e, bs, a pq.Int64Array
	err := tx.QueryRowContext(ctx, q, len(b.contacts), len(b.evidence), len(b.bases), len(b.activities)).Scan(&c, &e, &bs, &a)
	if err != nil {
		return fmt.Errorf("crm: inbound batch: ids: %w", err)
	}
	b.contactIDs, b.evidenceIDs, b.basisIDs, b.activityIDs = []int64(c), []int64(e), []int64(bs), []int64(a)
	return nil
}

// insertContacts creates the batch's contacts. A contact created
// concurrently since the caller looked is ErrBatchConflict.
func (b *InboundBatch) insertContacts(ctx context.Context, tx *sqlx.Tx) error {
	n := len(b.contacts)
	if n == 0 {
		return nil
	}
	ids, emails, names, companies, phones := b.contactIDs, make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	langs, sources, lasts := make([]string, n), make([]string, n), make([]string, n)
	hashes := make([][]byte, n)
	for i, c := range b.contacts {
		emails[i], names[i], companies[i], phones[i], langs[i], sources[i] = c.Email, c.Name, c.Company, c.Phone, c.Language, c.Source
		lasts[i], hashes[i] = stamp(c.LastActivityAt), c.hash
	}
	const q = `
		INSERT INTO contacts (id, email, address_hash, name, company, phone, language, source, previously_erased,
			created_at, updated_at, last_activity_at)
		SELECT u.id, u.email, u.hash, u.name, u.company, u.phone, u.lang, u.source, false, $1::timestamptz, $1::timestamptz, u.last
		FROM unnest($2::bigint[], $3::text[], $4::bytea[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
			AS u(id, email, hash, name, company, phone, lang, source, last)
		ON CONFLICT (email) DO NOTHING`
	res, err := tx.ExecContext(ctx, q, stamp(b.now), pq.Array(ids), pq.Array(emails), byteaArray(hashes), pq.Array(names),
		pq.Array(companies), pq.Array(phones), pq.Array(langs), pq.Array(sources), pq.Array(lasts))
	if err != nil {
		return fmt.Errorf("crm: inbound batch: create %d contacts: %w", n, err)
	}
	if got, _ := res.RowsAffected(); got != int64(n) {
		return fmt.Errorf("crm: inbound batch: %d of %d contacts created: %w", got, n, ErrBatchConflict)
	}
	return nil
}

// runCaptureHooks runs the capture hooks (the privacy notice is queued)
// for each contact the batch created, once the batch's own events are on
// the audit chain: a contact's "contact.created" comes before what was
// done because it was created, as when contacts are captured one by one.
func (b *InboundBatch) runCaptureHooks(ctx context.Context, tx *sqlx.Tx) error {
	for i, nc := range b.contacts {
		c := nc.Contact
		c.ID = b.contactIDs[i]
		for _, hook := range b.s.onCapture {
			if err := hook(ctx, tx, c); err != nil {
				return fmt.Errorf("crm: capture %s: %w", c.Email, err)
			}
		}
	}
	return nil
}

// insertEvidence stores the evidence rows with a multi-row INSERT whose
// content parameters travel as binary bytea (the connections use binary
// parameters): cheaper for PostgreSQL than COPY's hex text.
func (b *InboundBatch) insertEvidence(ctx context.Context, tx *sqlx.Tx) error {
	const cols = 10
	for start, end := 0, 0; start < len(b.evidence); start = end {
		end = start + 1
		for size := len(b.evidence[start].content); end < len(b.evidence) && end-start < maxRowsPerInsert; end++ {
			if size += len(b.evidence[end].content); size > maxBytesPerInsert {
				break
			}
		}
		part := b.evidence[start:end]
		var q strings.Builder
		q.WriteString(`INSERT INTO evidence (id, contact_id, kind, sha256, content, size, content_type, file_name, metadata,
			received_at, created_by, created_at) VALUES `)
		args := make([]any, 0, len(part)*cols+2)
		args = append(args, string(b.actor), b.now)
		for i, e := range part {
			if i > 0 {
				q.WriteByte(',')
			}
			p := len(args)
			fmt.Fprintf(&q, "($%d, NULLIF($%d::bigint, 0), $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $1, $2)",
				p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9, p+10)
			args = append(args, b.evidenceIDs[start+i], b.ContactID(e.contact), e.kind, e.sum[:], e.content,
				int64(len(e.content)), e.contentType, e.fileName, e.metadata, e.receivedAt)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("crm: inbound batch: store %d evidence rows: %w", len(part), err)
		}
	}
	return nil
}

// maxRowsPerInsert keeps a multi-row INSERT under PostgreSQL's 65,535
// parameters. maxBytesPerInsert keeps lib/pq's message buffer small: it
// grows by append, and past 256 KB each growth copies it for a quarter more.
const (
	maxRowsPerInsert  = 1000
	maxBytesPerInsert = 256 << 10
)

// MaxBytesPerInsert is the same bound for the multi-row INSERTs that
// callers of InboundBatch write next to it (mailin's inbound_messages rows).
const MaxBytesPerInsert = maxBytesPerInsert

func (b *InboundBatch) insertBases(ctx context.Context, tx *sqlx.Tx) error {
	n := len(b.bases)
	if n == 0 {
		return nil
	}
	contacts, evidence := make([]int64, n), make([]any, n)
	purposes, kinds, sources, reasons, froms := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, x := range b.bases {
		contacts[i], evidence[i] = b.ContactID(x.contact), b.evidenceID(x.evidence)
		purposes[i], kinds[i], sources[i], reasons[i], froms[i] = x.in.Purpose, x.in.Kind, x.in.Source, x.in.Reason, stamp(x.in.ValidFrom)
	}
	const q = `
		INSERT INTO bases (id, contact_id, purpose, kind, source, evidence_id, reason, valid_from, created_by, created_at)
		SELECT u.id, u.contact_id, u.purpose, u.kind, u.source, u.evidence_id, u.reason, u.valid_from, $1::text, $2::timestamptz
		FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::timestamptz[])
			AS u(id, contact_id, purpose, kind, source, evidence_id, reason, valid_from)`
	if _, err := tx.ExecContext(ctx, q, string(b.actor), stamp(b.now), pq.Array(b.basisIDs), pq.Array(contacts), pq.Array(purposes),
		pq.Array(kinds), pq.Array(sources), int64Array(evidence), pq.Array(reasons), pq.Array(froms)); err != nil {
		return fmt.Errorf("crm: inbound batch: grant %d bases: %w", n, err)
	}
	return nil
}

func (b *InboundBatch) insertActivities(ctx context.Context, tx *sqlx.Tx) error {
	n := len(b.activities)
	if n == 0 {
		return nil
	}
	contacts, evidence := make([]int64, n), make([]any, n)
	kinds, reasons, notes, ats := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, x := range b.activities {
		contacts[i], evidence[i] = b.ContactID(x.contact), b.evidenceID(x.evidence)
		kinds[i], reasons[i], notes[i], ats[i] = x.in.Kind, x.in.Reason, x.in.Note, stamp(x.in.At)
	}
	const q = `
		INSERT INTO activities (id, contact_id, kind, reason, note, evidence_id, actor, at)
		SELECT u.id, u.contact_id, u.kind, u.reason, u.note, u.evidence_id, $1::text, u.at
		FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::timestamptz[])
			AS u(id, contact_id, kind, reason, note, evidence_id, at)`
	if _, err := tx.ExecContext(ctx, q, string(b.actor), pq.Array(b.activityIDs), pq.Array(contacts), pq.Array(kinds),
		pq.Array(reasons), pq.Array(notes), int64Array(evidence), pq.Array(ats)); err != nil {
		return fmt.Errorf("crm: inbound batch: log %d activities: %w", n, err)
	}
	return nil
}

// touchContacts applies the batch's changes to existing contacts: blanks
// filled in, updated_at, last_activity_at.
func (b *InboundBatch) touchContacts(ctx context.Context, tx *sqlx.Tx) error {
	n := len(b.touchOrder)
	if n == 0 {
		return nil
	}
	names, companies, phones, langs, lasts := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	updated := make([]bool, n)
	for i, id := range b.touchOrder {
		t := b.touched[id]
		names[i], companies[i], phones[i], langs[i], updated[i] = t.name, t.company, t.phone, t.language, t.updated
		lasts[i] = "-infinity" // greatest() keeps the contact's own
		if !t.lastActivity.IsZero() {
			lasts[i] = stamp(t.lastActivity)
		}
	}
	const q = `
		UPDATE contacts c SET
			name = CASE WHEN c.name = '' THEN u.name ELSE c.name END,
			company = CASE WHEN c.company = '' THEN u.company ELSE c.company END,
			phone = CASE WHEN c.phone = '' THEN u.phone ELSE c.phone END,
			language = CASE WHEN c.language = '' THEN u.lang ELSE c.language END,
			updated_at = CASE WHEN u.updated THEN $1::timestamptz ELSE c.updated_at END,
			last_activity_at = greatest(c.last_activity_at, u.last)
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::timestamptz[])
			AS u(id, name, company, phone, lang, updated, last)
		WHERE c.id = u.id`
	if _, err := tx.ExecContext(ctx, q, stamp(b.now), pq.Array(b.touchOrder), pq.Array(names), pq.Array(companies),
		pq.Array(phones), pq.Array(langs), pq.Array(updated), pq.Array(lasts)); err != nil {
		return fmt.Errorf("crm: inbound batch: update %d contacts: %w", n, err)
	}
	return nil
}

// stamp formats t for a timestamptz array element.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// int64Array is a bigint[] parameter whose nil elements are NULL.
func int64Array(v []any) any {
	s := make([]string, len(v))
	for i, x := range v {
		switch x := x.(type) {
		case *int64:
			if x != nil {
				s[i] = strconv.FormatInt(*x, 10)
				continue
			}
		case int64:
			s[i] = strconv.FormatInt(x, 10)
			continue
		}
		s[i] = "NULL"
	}
	return "{" + strings.Join(s, ",") + "}"
}
