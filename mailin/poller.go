package mailin

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"
)

// Poller keeps one account's mailbox ingested inside `basis serve`: IDLE
// where the server has it, polling otherwise, reconnecting with backoff on
// any error. A PostgreSQL advisory lock makes sure only one process polls an
// account, so several `basis serve` can share one database.
type Poller struct {
	Ingester     *Ingester
	Account      Account
	PollInterval time.Duration
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	log := p.Ingester.Log.With("account", p.Account.Name)
	backoff := Backoff{Min: time.Second, Max: 5 * time.Minute}
	for ctx.Err() == nil {
		started := time.Now()
		err := p.holdLockAndPoll(ctx)
		if time.Since(started) > time.Minute {
			backoff.Reset() // it worked for a while: start again from the shortest delay
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := backoff.Next()
		if errors.Is(err, errLockHeld) {
			log.Debug("another process polls this account; waiting")
		} else {
			log.Error("mailbox polling stopped; reconnecting", "err", err, "retry_in", wait.Round(time.Second))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
	return nil
}

var errLockHeld = errors.New("account is polled by another process")

func (p *Poller) holdLockAndPoll(ctx context.Context) error {
	conn, err := p.Ingester.Store.DB().Conn(ctx)
	if err != nil {
		return fmt.Errorf("mailin: advisory lock: %w", err)
	}
	defer conn.Close()
	key := lockKey(p.Account.Name)
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		return fmt.Errorf("mailin: advisory lock: %w", err)
	}
	if !got {
		return errLockHeld
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
	return p.poll(ctx)
}

func (p *Poller) poll(ctx context.Context) error {
	log := p.Ingester.Log.With("account", p.Account.Name)
	c, err := Dial(ctx, p.Account, log)
	if err != nil {
		return err
	}
	defer c.Close()
	for {
		sum, err := p.Ingester.IngestOnce(ctx, c)
		if err != nil {
			return err
		}
		if sum.Fetched > 0 {
			log.Info("mail ingested", "fetched", sum.Fetched, "prospects", sum.Prospects, "forwarded", sum.Forwarded,
				"replies", sum.Replies, "bounces", sum.Bounces, "review", sum.Review)
		}
		if _, err := c.WaitForMail(ctx, p.PollInterval); err != nil {
			return err
		}
	}
}

// lockKey maps an account name to an advisory lock key of Basis's own.
func lockKey(account string) int64 {
	h := fnv.New64a()
	h.Write([]byte("basis.mailin\x00" + account))
	return int64(h.Sum64())
}
