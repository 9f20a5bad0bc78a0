package crm_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgtest"
)

// TestSentMessagesKeepTheirExactBytes stores sent messages over a
// connection with binary parameters (as basis connects) and over one
// without: each is the evidence of its contact with the exact bytes sent
// (CR, LF, NUL and bytes that are not UTF-8 included), its hash and its
// audit event, in order.
func TestSentMessagesKeepTheirExactBytes(t *testing.T) {
	for _, binary := range []bool{true, false} {
		t.Run(map[bool]string{true: "binary parameters", false: "text parameters"}[binary], func(t *testing.T) {
			url, db := pgtest.NewURL(t)
			if !binary {
				db = sqlx.MustConnect("postgres", strings.Replace(url, "binary_parameters=yes", "binary_parameters=no", 1))
				t.Cleanup(func() { db.Close() })
			}
			st := crm.NewStore(db, testKey, policy, nil)
			a := mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
			b := mustCapture(t, st, "bruno.verdi@example.it", "Bruno Verdi")
			msgs := []crm.SentMessage{
				{ContactID: a.ID, Raw: []byte("Subject: Novit\xe0\r\n\r\n" + strings.Repeat("preventivo fornitura\r\n", 200)), SentAt: time.Now()},
				{ContactID: b.ID, Raw: []byte("Subject: x\r\n\r\n\x00\xbb\xff\\x41\r\n"), Metadata: map[string]any{"kind": "campaign"}},
			}
			var ids []int64
			inTx(t, st, func(tx *sqlx.Tx) error {
				var err error
				ids, err = st.AddSentMessages(ctx, tx, system, msgs)
				return err
			})
			if len(ids) != 2 || ids[0] >= ids[1] {
				t.Fatalf("ids %v, want two increasing", ids)
			}
			for i, m := range msgs {
				var got struct {
					ContactID int64  `db:"contact_id"`
					Content   []byte `db:"content"`
					Sum       []byte `db:"sha256"`
					Size      int    `db:"size"`
					Kind      string `db:"kind"`
				}
				if err := db.Get(&got, `SELECT contact_id, content, sha256, size, kind FROM evidence WHERE id = $1`, ids[i]); err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(m.Raw)
				if !bytes.Equal(got.Content, m.Raw) || !bytes.Equal(got.Sum, sum[:]) || got.Size != len(m.Raw) ||
					got.ContactID != m.ContactID || got.Kind != "sent_message" {
					t.Errorf("evidence %d = %+v, want the exact bytes of message %d", ids[i], got, i)
				}
			}
			var audited int
			if err := db.Get(&audited, `SELECT count(*) FROM audit_events WHERE action = 'evidence.added'
				AND (payload->>'evidence_id')::bigint IN ($1, $2)`, ids[0], ids[1]); err != nil || audited != 2 {
				t.Errorf("audit events for the sent messages: %d (%v), want 2", audited, err)
			}
			mustVerify(t, st)
		})
	}
}

// TestSentMessagesCompressWithLZ4 checks that a large sent message is
// stored compressed with lz4 (migration 00070) when the server has it:
// pglz cost more CPU than anything else in recording a sent message.
func TestSentMessagesCompressWithLZ4(t *testing.T) {
	st, db := newStore(t)
	var lz4 bool
	if err := db.Get(&lz4, `SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'`); err != nil {
		t.Fatal(err)
	}
	if !lz4 {
		t.Skip("this PostgreSQL was built without lz4")
	}
	c := mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	var ids []int64
	inTx(t, st, func(tx *sqlx.Tx) error {
		var err error
		ids, err = st.AddSentMessages(ctx, tx, system, []crm.SentMessage{{ContactID: c.ID,
			Raw: []byte("Subject: x\r\n\r\n" + strings.Repeat("preventivo fornitura consegna impianto\r\n", 120))}})
		return err
	})
	var method string
	if err := db.Get(&method, `SELECT COALESCE(pg_column_compression(content), 'none') FROM evidence WHERE id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	if method != "lz4" {
		t.Errorf("sent message stored with %s compression, want lz4", method)
	}
}

// TestAuditHeadFollowsBatchedAndSingleEvents appends a batch of events
// (which moves audit_head itself) and single events (whose deferred
// trigger moves it) in one transaction, in both orders: the head is the
// chain's last event after each, and the chain verifies.
func TestAuditHeadFollowsBatchedAndSingleEvents(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	batch := func(tx *sqlx.Tx) error {
		_, err := st.AddSentMessages(ctx, tx, system, []crm.SentMessage{
			{ContactID: c.ID, Raw: []byte("Subject: a\r\n\r\na\r\n")}, {ContactID: c.ID, Raw: []byte("Subject: b\r\n\r\nb\r\n")}})
		return err
	}
	single := func(tx *sqlx.Tx) error {
		return st.OutboxEvent(ctx, tx, system, "outbox.queued", c.ID, map[string]any{"kind": "notice"})
	}
	for name, steps := range map[string][]func(*sqlx.Tx) error{
		"batch then single": {batch, single},
		"single then batch": {single, batch},
		"batch only":        {batch, batch},
	} {
		inTx(t, st, func(tx *sqlx.Tx) error {
			for _, step := range steps {
				if err := step(tx); err != nil {
					return err
				}
			}
			return nil
		})
		var head, last int64
		if err := db.Get(&head, `SELECT seq FROM audit_head WHERE id = 1`); err != nil {
			t.Fatal(err)
		}
		if err := db.Get(&last, `SELECT max(seq) FROM audit_events`); err != nil {
			t.Fatal(err)
		}
		if head != last {
			t.Errorf("%s: audit_head at %d, last event %d", name, head, last)
		}
		mustVerify(t, st)
	}
}

// TestSentMessagesOverSeveralInserts stores a batch larger than one INSERT
// takes: every message is its own evidence row, in order.
func TestSentMessagesOverSeveralInserts(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	msgs := make([]crm.SentMessage, 150) // 150 × ~4 KB: three INSERTs
	for i := range msgs {
		msgs[i] = crm.SentMessage{ContactID: c.ID, Raw: []byte(fmt.Sprintf("Message-ID: <%d@x>\r\n\r\n%s", i, strings.Repeat("riga\r\n", 680)))}
	}
	var ids []int64
	inTx(t, st, func(tx *sqlx.Tx) error {
		var err error
		ids, err = st.AddSentMessages(ctx, tx, system, msgs)
		return err
	})
	for i, id := range ids {
		var content []byte
		if err := db.Get(&content, `SELECT content FROM evidence WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(content, msgs[i].Raw) {
			t.Fatalf("evidence %d holds %.30q, want message %d", id, content, i)
		}
	}
	mustVerify(t, st)
}
