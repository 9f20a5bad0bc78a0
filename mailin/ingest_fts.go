package mailin

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// ftsChunkSize is how many messages one query of the vectorizer covers.
const ftsChunkSize = 100

// ftsVector is the full-text vector of one message: the column fts of
// inbound_messages, to_tsvector('simple', subject || ' ' || from_name ||
// ' ' || preview) (migration 00120). The vectorizer asks PostgreSQL for it
// on a connection of its own while the storer's transaction writes earlier
// messages, so that the ingest's transaction does not parse the text
// itself. subject, fromName and preview are the cleaned texts it was
// computed from; a row uses the vector only if it stores exactly them, and
// otherwise leaves fts to the table's trigger.
type ftsVector struct {
	subject, fromName, preview string
	vector                     []byte // the tsvector in PostgreSQL's binary form (tsvectorsend), when ok
	ok                         bool
	done                       chan struct{} // closed once vector and ok are set, shared by a chunk
	from                       *vectorizer
}

// defaultVectorWait bounds how long the storer waits for a vector, before
// a batch's transaction, until it leaves it to the trigger and stops
// waiting for the others: a vectorizer that fails to get a connection or is
// slow must not stop the ingest.
const defaultVectorWait = 2 * time.Second

// vectorFor returns the vector to insert with r: its binary form (the
// connections send []byte parameters binary, so PostgreSQL reads it with
// tsvector's receive function, without parsing text), or nil (NULL: the
// trigger computes it) when there is none for exactly r's text. The storer
// has waited for it before the transaction began (awaitVectors); a vector
// still not ready is not waited for again.
func (r *inboundRow) vectorFor(subject, fromName, preview string) any {
	v := r.FTS
	if v == nil || !v.await() {
		return nil
	}
	if !v.ok || v.subject != subject || v.fromName != fromName || v.preview != preview {
		return nil
	}
	return v.vector
}

// await waits for the vectorizer to be done with v, up to its wait once:
// a vectorizer that was late is not waited for again. It reports whether
// v is done (and its fields may be read).
func (v *ftsVector) await() bool {
	select {
	case <-v.done:
		return true
	default:
	}
	if v.from.late.Load() {
		return false
	}
	t := time.NewTimer(v.from.wait)
	defer t.Stop()
	select {
	case <-v.done:
		return true
	case <-t.C:
		v.from.late.Store(true)
		v.from.log.Warn("full-text vectors late; the ingest's transaction computes them")
		return false
	}
}

// awaitVectors waits for the vectors of a batch before its transaction
// begins: waiting inside it would hold a connection, which the vectorizer
// may need (with a pool of one it is the only one), and the batch's locks.
func awaitVectors(batch []*parsed) {
	for _, p := range batch {
		if p.fts != nil && !p.fts.await() {
			return
		}
	}
}

// vectorizer computes the vectors of fetched messages, a chunk at a time
// and in fetch order, on one goroutine and one database connection.
type vectorizer struct {
	db    *sqlx.DB
	log   *slog.Logger
	queue chan []*parsed
	chunk []*parsed
	done  chan struct{}
	wait  time.Duration
	late  atomic.Bool   // a transaction gave up waiting
	hold  chan struct{} // tests: nothing is computed before it is closed
}

func (in *Ingester) newVectorizer(ctx context.Context) *vectorizer {
	v := &vectorizer{db: in.Store.DB(), log: in.Log, queue: make(chan []*parsed, 1024), done: make(chan struct{}),
		wait: cmp.Or(in.vectorWait, defaultVectorWait), hold: in.vectorHold}
	go v.run(ctx)
	return v
}

// add gives p a vector to be computed; the messages that will be stored one
// at a time (oversize, over maxBatchedBytes) get none.
func (v *vectorizer) add(p *parsed) {
	if p.f.Oversize || len(p.f.Raw) > maxBatchedBytes {
		return
	}
	v.chunk = append(v.chunk, p)
	if len(v.chunk) >= ftsChunkSize {
		v.send()
	}
}

// send queues the chunk gathered so far. Every message added before a
// batch is submitted must be sent first: the storer waits for its vector.
func (v *vectorizer) send() {
	if len(v.chunk) == 0 {
		return
	}
	done := make(chan struct{})
	for _, p := range v.chunk {
		p.fts = &ftsVector{done: done, from: v}
	}
	v.queue <- v.chunk
	v.chunk = nil
}

// close sends what is left and waits for the goroutine to finish.
func (v *vectorizer) close() {
	v.send()
	close(v.queue)
	<-v.done
}

func (v *vectorizer) run(ctx context.Context) {
	defer close(v.done)
	if v.hold != nil {
		<-v.hold
	}
	var full *sqlx.Stmt // the query of a full chunk, prepared once: parsed and planned once
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	failed := false
	for chunk := range v.queue {
		if !failed && ctx.Err() == nil {
			var err error
			if len(chunk) == ftsChunkSize && full == nil {
				full, err = v.db.PreparexContext(ctx, vectorQuery(ftsChunkSize))
			}
			if err == nil {
				err = v.compute(ctx, chunk, full)
			}
			if err != nil {
				// Not fatal: without vectors the trigger computes them.
				if ctx.Err() == nil {
					v.log.Warn("full-text vectors not computed ahead; the ingest's transaction computes them", "err", err)
				}
				failed = true
			}
		}
		close(chunk[0].fts.done)
	}
}

// vectorQuery returns the binary vectors of n texts, $1 to $n, in order.
func vectorQuery(n int) string {
	var q strings.Builder
	q.WriteString(`SELECT tsvectorsend(to_tsvector('simple', v.t)) FROM (VALUES `)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		fmt.Fprintf(&q, "(%d, $%d::text)", i, i+1)
	}
	q.WriteString(`) AS v(i, t) ORDER BY v.i`)
	return q.String()
}

// compute fills in the vectors of a chunk with one query: full, when it
// is a full chunk.
func (v *vectorizer) compute(ctx context.Context, chunk []*parsed, full *sqlx.Stmt) error {
	subjects, names, previews := make([]string, len(chunk)), make([]string, len(chunk)), make([]string, len(chunk))
	texts := make([]any, len(chunk))
	for i, p := range chunk {
		p.wait()
		row := newInboundRow(p.f, p.m)
		subjects[i], names[i], previews[i] = cleanSubject(row.Subject), cleanFromName(row.FromName), cleanPreview(row.Preview)
		// The trigger's subject || ' ' || from_name || ' ' || preview.
		texts[i] = subjects[i] + " " + names[i] + " " + previews[i]
	}
	var vectors [][]byte
	var err error
	if len(chunk) == ftsChunkSize && full != nil {
		err = full.SelectContext(ctx, &vectors, texts...)
	} else {
		err = sqlx.SelectContext(ctx, v.db, &vectors, vectorQuery(len(chunk)), texts...)
	}
	if err != nil {
		return fmt.Errorf("mailin: full-text vectors of %d messages: %w", len(chunk), err)
	}
	if len(vectors) != len(chunk) {
		return fmt.Errorf("mailin: full-text vectors: %d for %d messages", len(vectors), len(chunk))
	}
	for i, p := range chunk {
		fv := p.fts // its done is read by the storer meanwhile: set the other fields only
		fv.subject, fv.fromName, fv.preview, fv.vector, fv.ok = subjects[i], names[i], previews[i], vectors[i], true
	}
	return nil
}
