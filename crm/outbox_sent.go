package crm

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// SentMessage is the exact bytes of one message sent to a contact, kept as
// evidence of what the person was told.
type SentMessage struct {
	ContactID int64
	Raw       []byte
	SentAt    time.Time
	Metadata  map[string]any // outbox id, Message-ID, kind, purpose, campaign
}

// AddSentMessages stores many sent messages as "sent_message" evidence, each
// with its "evidence.added" audit event, in a few statements: the outbox
// records thousands of messages a second. It returns the evidence ids in
// the order of msgs.
func (s *Store) AddSentMessages(ctx context.Context, tx *sqlx.Tx, actor Actor, msgs []SentMessage) ([]int64, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	ids, err := evidenceIDs(ctx, tx, len(msgs))
	if err != nil {
		return nil, err
	}
	sums, err := s.insertSentMessages(ctx, tx, actor, ids, msgs)
	if err != nil {
		return nil, err
	}
	events := make([]auditEntry, len(msgs))
	for i, m := range msgs {
		events[i] = auditEntry{contactID: m.ContactID, payload: sentMessagePayload(ids[i], sums[i], len(m.Raw))}
	}
	return ids, s.auditMany(ctx, tx, actor, "evidence.added", events)
}

// sentMessagePayload is the payload of a sent message's "evidence.added"
// event, byte for byte what json.Marshal gives for the map of its six keys
// (the keys in sorted order, no character to escape), without the
// reflection and sorting of a map per message.
func sentMessagePayload(id int64, sum []byte, size int) json.RawMessage {
	b := make([]byte, 0, 160)
	b = append(b, `{"content_type":"message/rfc822","evidence_id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"file_name":"","kind":"sent_message","sha256":"`...)
	b = hex.AppendEncode(b, sum)
	b = append(b, `","size":`...)
	b = strconv.AppendInt(b, int64(size), 10)
	return append(b, '}')
}

// evidenceIDs takes n ids from the evidence sequence, in increasing order,
// so that the caller knows each message's id without a RETURNING whose
// order it would have to match. The sequence is looked up once, not once
// per id.
func evidenceIDs(ctx context.Context, tx *sqlx.Tx, n int) ([]int64, error) {
	const q = `
		WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('evidence', 'id')::regclass AS seq)
		SELECT nextval(s.seq) AS id FROM s, generate_series(1, $1) ORDER BY 1`
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, q, n); err != nil {
		return nil, fmt.Errorf("crm: evidence ids: %w", err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("crm: evidence ids: %d for %d messages", len(ids), n)
	}
	return ids, nil
}

// insertSentMessages writes the evidence rows with INSERTs over arrays, of
// up to maxBytesPerInsert of messages each (inbound_batch_flush.go).
// The messages and their hashes travel as binary bytea arrays
// (byteaArray): neither side hex-encodes or decodes the bytes, which cost
// more than the rest of the statement with lib/pq's text COPY. It returns
// the SHA-256 of each message.
func (s *Store) insertSentMessages(ctx context.Context, tx *sqlx.Tx, actor Actor, ids []int64, msgs []SentMessage) ([][]byte, error) {
	now := s.clock()
	n := len(msgs)
	sums, raws := make([][]byte, n), make([][]byte, n)
	contacts, sizes := make([]int64, n), make([]int64, n)
	metas, ats := make([]string, n), make([]string, n)
	for i, m := range msgs {
		sum := sha256.Sum256(m.Raw)
		sums[i], raws[i], contacts[i], sizes[i] = sum[:], m.Raw, m.ContactID, int64(len(m.Raw))
		meta, err := json.Marshal(orEmpty(m.Metadata))
		if err != nil {
			return nil, fmt.Errorf("crm: sent message metadata: %w", err)
		}
		metas[i] = string(meta)
		at := m.SentAt
		if at.IsZero() {
			at = now
		}
		ats[i] = at.UTC().Format(time.RFC3339Nano)
	}
	const q = `
		INSERT INTO evidence (id, contact_id, kind, sha256, content, size, content_type, metadata, received_at, created_by, created_at)
		SELECT u.id, u.contact_id, 'sent_message', u.sha256, u.content, u.size, 'message/rfc822', u.metadata::jsonb, u.at, $1, $2
		FROM unnest($3::bigint[], $4::bigint[], $5::bytea[], $6::bytea[], $7::bigint[], $8::text[], $9::timestamptz[])
			AS u(id, contact_id, sha256, content, size, metadata, at)`
	for start := 0; start < n; {
		end, size := start+1, len(raws[start])
		for end < n && size+len(raws[end]) <= maxBytesPerInsert {
			size += len(raws[end])
			end++
		}
		if _, err := tx.ExecContext(ctx, q, string(actor), now, pq.Array(ids[start:end]), pq.Array(contacts[start:end]),
			byteaArray(sums[start:end]), byteaArray(raws[start:end]), pq.Array(sizes[start:end]), pq.Array(metas[start:end]),
			pq.Array(ats[start:end])); err != nil {
			return nil, fmt.Errorf("crm: store %d sent messages: %w", n, err)
		}
		start = end
	}
	return sums, nil
}

// byteaArray is a bytea[] parameter. On a connection with
// binary_parameters (internal/pgdsn sets it) lib/pq asks for BinaryValue
// and sends PostgreSQL's binary array format, which the server reads
// without decoding text; otherwise Value gives lib/pq's hex text form.
type byteaArray [][]byte

// Value is the text form, for connections without binary parameters.
func (a byteaArray) Value() (driver.Value, error) { return pq.ByteaArray(a).Value() }

// BinaryValue encodes the array as array_send does: dimensions, flags,
// element type (bytea), then each element as its length and bytes.
func (a byteaArray) BinaryValue() ([]byte, error) {
	const byteaOID = 17
	size := 20
	for _, b := range a {
		size += 4 + len(b)
	}
	buf := make([]byte, 0, size)
	if len(a) == 0 {
		buf = binary.BigEndian.AppendUint32(buf, 0) // no dimensions: empty
		buf = binary.BigEndian.AppendUint32(buf, 0)
		return binary.BigEndian.AppendUint32(buf, byteaOID), nil
	}
	buf = binary.BigEndian.AppendUint32(buf, 1) // dimensions
	buf = binary.BigEndian.AppendUint32(buf, 0) // no NULL elements
	buf = binary.BigEndian.AppendUint32(buf, byteaOID)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(a)))
	buf = binary.BigEndian.AppendUint32(buf, 1) // lower bound
	for _, b := range a {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	return buf, nil
}
