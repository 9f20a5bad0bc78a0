package mailout

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Counts say what one pass of the sender did.
type Counts struct {
	Sent              int `json:"sent"`
	Retried           int `json:"retried"`
	Failed            int `json:"failed"`
	SkippedIneligible int `json:"skipped_ineligible"`
	// Unknown counts campaign messages found in flight from a sender that
	// stopped (crash): they are never sent again.
	Unknown int `json:"unknown"`
	// Requeued counts notices and consent requests found in flight from a
	// sender that stopped: they are sent again.
	Requeued int `json:"requeued"`
}

// ErrConfig wraps a sending failure caused by the SMTP settings
// (authentication, TLS): the messages stay queued until they are fixed.
var ErrConfig = errors.New("mailout: the SMTP settings are wrong; nothing was lost, messages stay queued")

// RunOnce starts due campaigns, then sends every message that is due, and
// returns when none is left (messages waiting for a retry are not due).
func (m *Mailer) RunOnce(ctx context.Context) (Counts, error) {
	if err := m.Tick(ctx); err != nil {
		return Counts{}, err
	}
	return m.SendDue(ctx)
}

// result is the outcome of one job.
type result struct {
	job     *job
	raw     []byte
	mid     string
	subject string // as rendered, shown on the contact's timeline
	at      time.Time
	err     error
}

// SendDue sends every message that is due over the configured connections:
// one goroutine claims batches, concurrency workers send, one records the
// outcomes in batched transactions.
func (m *Mailer) SendDue(ctx context.Context) (Counts, error) {
	var counts Counts
	sender, err := m.smtp()
	if err != nil {
		return counts, err
	}
	owner, release, err := m.acquireOwner(ctx)
	if err != nil {
		return counts, err
	}
	clean := false // every claimed message recorded: the sender may unregister
	defer func() { release(clean) }()
	if counts.Unknown, counts.Requeued, err = m.recoverStale(ctx); err != nil {
		return counts, err
	}
	jobs := make(chan *job, m.cfg.BatchSize)
	results := make(chan result, m.cfg.BatchSize)
	var configErr atomic.Pointer[error]
	var workers sync.WaitGroup
	for range m.cfg.SMTP.Concurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			m.sendJobs(ctx, sender, jobs, results, &configErr)
		}()
	}
	finished := make(chan error, 1)
	go func() { finished <- m.record(context.WithoutCancel(ctx), results, &counts) }()

	claimErr := m.claimLoop(ctx, owner, jobs, &counts, &configErr)
	close(jobs)
	workers.Wait()
	close(results)
	recErr := <-finished
	clean = claimErr == nil && recErr == nil
	if p := configErr.Load(); p != nil {
		return counts, fmt.Errorf("%w: %v", ErrConfig, *p)
	}
	return counts, errors.Join(claimErr, recErr)
}

// sendJobs is one worker: it sends jobs over one connection of sender,
// each message's body in the same write as the next one's envelope when
// the next is ready (Stream), and passes every outcome to results. Once
// the settings are known to be wrong, or ctx ends, jobs go back unsent.
func (m *Mailer) sendJobs(ctx context.Context, sender *Sender, jobs <-chan *job, results chan<- result, configErr *atomic.Pointer[error]) {
	stream, err := sender.Stream(ctx)
	if err != nil { // ctx ended while waiting for a connection
		for j := range jobs {
			results <- result{job: j, err: errRequeue}
		}
		return
	}
	report := func(outs []Outcome) {
		for _, o := range outs {
			r := o.Tag.(result)
			r.err, r.at = o.Err, time.Now()
			var se *SendError
			if errors.As(r.err, &se) && se.Config {
				e := r.err
				configErr.CompareAndSwap(nil, &e)
			}
			results <- r
		}
	}
	defer func() { report(stream.Close()) }()
	for {
		j, ok := nextJob(jobs, func() { report(stream.Flush()) })
		if !ok {
			return
		}
		if configErr.Load() != nil || ctx.Err() != nil {
			results <- result{job: j, err: errRequeue}
			continue
		}
		r, envelopeFrom := m.buildJob(ctx, j)
		if r.err != nil {
			results <- r
			continue
		}
		report(stream.Send(ctx, envelopeFrom, j.Email, r.raw, r))
	}
}

// nextJob takes the next job; when none is ready it calls idle first (a
// worker sends its pending body rather than hold it for a job that is not
// there).
func nextJob(jobs <-chan *job, idle func()) (*job, bool) {
	select {
	case j, ok := <-jobs:
		return j, ok
	default:
	}
	idle()
	j, ok := <-jobs
	return j, ok
}

// claimLoop feeds jobs until nothing is due.
func (m *Mailer) claimLoop(ctx context.Context, owner int64, jobs chan<- *job, counts *Counts, configErr *atomic.Pointer[error]) error {
	var cutoff time.Time
	if err := m.db.GetContext(ctx, &cutoff, `SELECT now()`); err != nil {
		return fmt.Errorf("mailout: %w", err)
	}
	c, err := m.newClaimer(ctx, owner, m.cfg.BatchSize, cutoff)
	if err != nil {
		return err
	}
	defer c.Close()
	for ctx.Err() == nil && configErr.Load() == nil {
		batch, skipped, err := c.claim(ctx)
		if err != nil {
			return err
		}
		counts.SkippedIneligible += skipped // only this goroutine writes it
		if len(batch) == 0 && skipped > 0 {
			continue
		}
		if len(batch) == 0 {
			return nil
		}
		for _, j := range batch {
			jobs <- j
		}
	}
	return ctx.Err()
}

// acquireOwner takes a session advisory lock under a random key on a
// connection of its own and registers the key in outbox_senders: while the
// lock is held, this sender's "sending" rows are its own; once the process
// dies, the lock goes with the connection and the next sender recovers
// them. The release unregisters the key only if clean (every claimed
// message recorded); otherwise the key stays for the next sender's
// recovery to find.
func (m *Mailer) acquireOwner(ctx context.Context) (int64, func(clean bool), error) {
	var b [8]byte
	rand.Read(b[:])
	key := int64(binary.BigEndian.Uint64(b[:])>>2) | 1
	conn, err := m.db.Connx(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("mailout: sender lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		conn.Close()
		return 0, nil, fmt.Errorf("mailout: sender lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO outbox_senders (owner) VALUES ($1)`, key); err != nil {
		conn.Close()
		return 0, nil, fmt.Errorf("mailout: register sender: %w", err)
	}
	return key, func(clean bool) {
		bg := context.WithoutCancel(ctx)
		if clean {
			if _, err := conn.ExecContext(bg, `DELETE FROM outbox_senders WHERE owner = $1`, key); err != nil {
				m.log.Warn("unregister sender; the next pass will", "error", err)
			}
		}
		_, _ = conn.ExecContext(bg, `SELECT pg_advisory_unlock($1)`, key)
		conn.Close()
	}, nil
}

// Run sends continuously until ctx ends, looking for due messages every
// interval.
func (m *Mailer) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		c, err := m.SendDue(ctx)
		if c != (Counts{}) {
			m.log.Info("outbox pass", "sent", c.Sent, "retried", c.Retried, "failed", c.Failed,
				"skipped_ineligible", c.SkippedIneligible, "unknown", c.Unknown, "requeued", c.Requeued)
		}
		if err != nil && ctx.Err() == nil {
			m.log.Error("outbox", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
