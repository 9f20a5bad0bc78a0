package mailin_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basis-crm/basis/bench/ingest/mailgen"
	"github.com/basis-crm/basis/mailin"
)

// TestVectorsComputedAheadAreTheTriggers ingests the fixtures (every
// charset and kind of message of testdata) amid generated mail, and checks
// that the full-text vectors the vectorizer computed ahead were inserted
// with the batched rows and are exactly what the table's trigger (and the
// search expression before migration 00120) makes of the stored text.
func TestVectorsComputedAheadAreTheTriggers(t *testing.T) {
	e := newIngestEnv(t)
	e.in.Batch = 40
	mailin.SetVectorWait(e.in, time.Hour) // however slow the machine, the vectors are waited for
	logs := warnings(e)
	recordVectorsGiven(e)

	mix := mailgen.Mix{N: 120, Senders: 30, ForwardEvery: 5, BounceEvery: 37, AttachEvery: 10}
	for k := range mix.N {
		e.srv.Append(t, "INBOX", mix.Message(k))
		if k == mix.N/2 {
			for _, raw := range fixtures(t) {
				e.srv.Append(t, "INBOX", raw)
			}
		}
	}
	sum := e.ingest()
	if sum.Errors != 0 || strings.Contains(logs.String(), "full-text vectors") {
		t.Fatalf("summary %+v, log:\n%s", sum, logs.String())
	}
	total := e.count(`SELECT count(*) FROM inbound_messages`)
	if total != sum.Fetched {
		t.Fatalf("%d messages stored, %d fetched", total, sum.Fetched)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages
		WHERE fts::text <> to_tsvector('simple', subject || ' ' || from_name || ' ' || preview)::text`); n != 0 {
		t.Errorf("%d of %d messages have a vector other than their text's", n, total)
	}
	// The batched messages (inquiries, forwards, replies) bring their
	// vector; the others (bounces, review cases) leave it to the trigger.
	batched := sum.Prospects + sum.Replies
	if n := e.count(`SELECT count(*) FROM fts_given WHERE given`); n < batched {
		t.Errorf("%d messages inserted with a vector computed ahead, want at least %d (prospects and replies)", n, batched)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages WHERE fts @@ websearch_to_tsquery('simple', 'preventivo')`); n == 0 {
		t.Error("no message found for a word of the generated inquiries")
	}

	// What erasure does to a message: its text, and with it its words, go.
	e.db.MustExec(`UPDATE inbound_messages SET from_name = '', subject = '', preview = ''
		WHERE id = (SELECT min(id) FROM inbound_messages)`)
	if n := e.count(`SELECT count(*) FROM inbound_messages WHERE id = (SELECT min(id) FROM inbound_messages)
		AND fts = ''::tsvector`); n != 1 {
		t.Error("blanking a message's text left words in its vector")
	}
	// A vector set apart from the text is recomputed from it.
	e.db.MustExec(`UPDATE inbound_messages SET fts = 'planted'::tsvector WHERE id = (SELECT max(id) FROM inbound_messages)`)
	if n := e.count(`SELECT count(*) FROM inbound_messages WHERE fts @@ 'planted'::tsquery`); n != 0 {
		t.Error("a vector written apart from the text was kept")
	}
}

// ingestMixOverOneConnection ingests 90 messages of every kind with a
// database pool of one connection, and returns the mix and the summary.
func ingestMixOverOneConnection(e *ingestEnv) (mailgen.Mix, mailin.Summary) {
	mix := mailgen.Mix{N: 90, Senders: 20, ForwardEvery: 5, BounceEvery: 37, AttachEvery: 10}
	for k := range mix.N {
		e.srv.Append(e.t, "INBOX", mix.Message(k))
	}
	e.db.SetMaxOpenConns(1)
	defer e.db.SetMaxOpenConns(0)
	return mix, e.ingest()
}

// TestVectorsWithAPoolOfOneConnection ingests with a database pool of one
// connection: the transaction holds it, so the vectorizer cannot run while
// it waits. The transaction must stop waiting and let the trigger compute
// the vectors, and every message must be stored with the right one.
func TestVectorsWithAPoolOfOneConnection(t *testing.T) {
	e := newIngestEnv(t)
	e.in.Batch = 30
	mailin.SetVectorWait(e.in, 10*time.Millisecond)
	noFallback(t, e.in)
	mix, sum := ingestMixOverOneConnection(e)
	if sum.Fetched != mix.N || sum.Errors != 0 {
		t.Fatalf("summary %+v, want %d fetched, no errors", sum, mix.N)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages`); n != mix.N {
		t.Fatalf("%d messages stored, want %d", n, mix.N)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages
		WHERE fts::text <> to_tsvector('simple', subject || ' ' || from_name || ' ' || preview)::text`); n != 0 {
		t.Errorf("%d messages have a vector other than their text's", n)
	}
}

// TestVectorsAreWaitedForOutsideTheTransaction ingests with a database
// pool of one connection and a generous wait: the storer must wait for a
// batch's vectors before its transaction takes the connection, so that the
// vectorizer can use it meanwhile and every batched message brings its
// vector. Waiting inside the transaction held the only connection (and the
// batch's locks) for the whole wait, and then computed the vectors anyway.
func TestVectorsAreWaitedForOutsideTheTransaction(t *testing.T) {
	e := newIngestEnv(t)
	e.in.Batch = 30
	mailin.SetVectorWait(e.in, 3*time.Second)
	logs := warnings(e)
	recordVectorsGiven(e)
	mix, sum := ingestMixOverOneConnection(e)
	if sum.Fetched != mix.N || sum.Errors != 0 || strings.Contains(logs.String(), "full-text vectors") {
		t.Fatalf("summary %+v, want %d fetched, no errors; log:\n%s", sum, mix.N, logs.String())
	}
	if n, batched := e.count(`SELECT count(*) FROM fts_given WHERE given`), sum.Prospects+sum.Replies; n < batched {
		t.Errorf("%d messages inserted with a vector computed ahead, want at least %d (prospects and replies)", n, batched)
	}
}

// TestVectorsLateAreComputedByTheTrigger holds the vectorizer back: the
// storer waits once, logs that the vectors are late, and stores every
// message anyway, the trigger computing each vector from the stored text.
func TestVectorsLateAreComputedByTheTrigger(t *testing.T) {
	e := newIngestEnv(t)
	e.in.Batch = 30
	mailin.SetVectorWait(e.in, 10*time.Millisecond)
	release := mailin.HoldVectors(e.in)
	defer release()
	logs := warnings(e)
	mix := mailgen.Mix{N: 90, Senders: 20, ForwardEvery: 5, BounceEvery: 37, AttachEvery: 10}
	for k := range mix.N {
		e.srv.Append(t, "INBOX", mix.Message(k))
	}
	// The ingest ends by waiting for the vectorizer: let it go once the
	// storer has given up on it.
	go func() {
		for !strings.Contains(logs.String(), "full-text vectors late") {
			time.Sleep(5 * time.Millisecond)
		}
		release()
	}()
	sum := e.ingest()
	if sum.Fetched != mix.N || sum.Errors != 0 {
		t.Fatalf("summary %+v, want %d fetched, no errors", sum, mix.N)
	}
	if !strings.Contains(logs.String(), "full-text vectors late") {
		t.Errorf("no warning that the vectors were late; log:\n%s", logs.String())
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages`); n != mix.N {
		t.Fatalf("%d messages stored, want %d", n, mix.N)
	}
	if n := e.count(`SELECT count(*) FROM inbound_messages
		WHERE fts::text <> to_tsvector('simple', subject || ' ' || from_name || ' ' || preview)::text`); n != 0 {
		t.Errorf("%d messages have a vector other than their text's", n)
	}
}

// syncBuffer is a log destination read while the ingest writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// warnings makes e's ingester log its warnings into a buffer that the test
// may read while the ingest writes to it.
func warnings(e *ingestEnv) *syncBuffer {
	logs := &syncBuffer{}
	e.in.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return logs
}

// recordVectorsGiven records in fts_given, for every row inserted into
// inbound_messages, whether the INSERT brought its vector. Its trigger
// fires before inbound_messages_fts, which fills in a missing one
// (triggers run in name order).
func recordVectorsGiven(e *ingestEnv) {
	e.db.MustExec(`CREATE TABLE fts_given (uid bigint PRIMARY KEY, given bool NOT NULL)`)
	e.db.MustExec(`CREATE FUNCTION record_fts_given() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO fts_given VALUES (NEW.uid, NEW.fts IS NOT NULL);
			RETURN NEW;
		END $$`)
	e.db.MustExec(`CREATE TRIGGER a_record_fts_given BEFORE INSERT ON inbound_messages FOR EACH ROW EXECUTE FUNCTION record_fts_given()`)
}
