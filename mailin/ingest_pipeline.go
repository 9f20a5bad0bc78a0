package mailin

import (
	"context"
	"runtime"
	"sync"
)

// parsed is a fetched message with what can be known about it before the
// database is consulted: its parse and its classification. They are
// computed in the background (parseAsync); wait before reading m or res.
type parsed struct {
	f    Fetched
	m    *Message
	res  Result
	done chan struct{}
	fts  *ftsVector // set by the vectorizer before the batch is submitted; nil: none
}

func (p *parsed) wait() { <-p.done }

// parseAsync parses and classifies f on one of GOMAXPROCS workers, so that
// a batch is parsed while it is still being fetched and the previous one
// is being stored.
func (in *Ingester) parseAsync(f Fetched, workers chan struct{}) *parsed {
	p := &parsed{f: f, done: make(chan struct{})}
	workers <- struct{}{}
	go func() {
		defer func() { <-workers; close(p.done) }()
		p.m = Parse(f.Raw)
		p.res = in.classify(p.m, f)
	}()
	return p
}

func newWorkers() chan struct{} { return make(chan struct{}, runtime.GOMAXPROCS(0)) }

// storer stores batches in a goroutine of its own, one after the other in
// the order they were submitted, so that storing a batch overlaps fetching
// and parsing the next. Each batch commits with its checkpoint before the
// next starts; committed UIDs wait in stored for their after-action.
type storer struct {
	ctx   context.Context
	in    *Ingester
	mb    mailbox
	queue chan []*parsed
	done  chan struct{}

	mu     sync.Mutex
	sum    Summary
	stored []uint32
	err    error
	idle   *sync.Cond
	busy   int // batches submitted and not yet stored

	analyzed bool // analyzeIfNew ran
}

func (in *Ingester) newStorer(ctx context.Context, mb mailbox) *storer {
	st := &storer{ctx: ctx, in: in, mb: mb, queue: make(chan []*parsed, 1), done: make(chan struct{}),
		sum: Summary{Account: mb.Account}}
	st.idle = sync.NewCond(&st.mu)
	go st.run()
	return st
}

func (st *storer) run() {
	defer close(st.done)
	for batch := range st.queue {
		st.mu.Lock()
		failed := st.err != nil
		st.mu.Unlock()
		var sum Summary
		var err error
		stored := 0
		if !failed {
			for _, p := range batch {
				p.wait()
			}
			awaitVectors(batch)
			stored, err = st.in.storeBatch(st.ctx, st.mb, batch, &sum)
			if err == nil && !st.analyzed {
				st.analyzed = true
				if aerr := analyzeIfNew(st.ctx, st.in.Store.DB()); aerr != nil {
					st.in.Log.Warn("statistics not updated; duplicate checks may be slow", "account", st.mb.Account, "err", aerr)
				}
			}
		}
		st.mu.Lock()
		if err != nil && st.err == nil {
			st.err = err
		}
		// Committed messages get their after-action even when a later
		// one failed: the checkpoint is past them, they are not fetched again.
		st.sum.add(sum)
		for _, p := range batch[:stored] {
			st.stored = append(st.stored, p.f.UID)
		}
		done := st.sum.Fetched
		st.busy--
		st.idle.Broadcast()
		st.mu.Unlock()
		if stored > 0 && st.in.Progress != nil {
			st.in.Progress(st.mb.Account, done)
		}
	}
}

// submit queues a batch; it blocks while another batch waits in the queue.
// It returns the error of an earlier batch, if one failed.
func (st *storer) submit(batch []*parsed) error {
	if err := st.failed(); err != nil {
		return err
	}
	st.mu.Lock()
	st.busy++
	st.mu.Unlock()
	st.queue <- batch
	return nil
}

// wait blocks until every submitted batch is stored (or failed).
func (st *storer) wait() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	for st.busy > 0 {
		st.idle.Wait()
	}
	return st.err
}

func (st *storer) failed() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.err
}

// takeStored returns the UIDs committed since the last call.
func (st *storer) takeStored() []uint32 {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := st.stored
	st.stored = nil
	return out
}

// close waits for the queued batches and stops the goroutine; it returns
// the summary of what was stored and the first error.
func (st *storer) close() (Summary, error) {
	close(st.queue)
	<-st.done
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sum, st.err
}
