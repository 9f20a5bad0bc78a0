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
		if errors.Is(err, ErrAccountBusy) {
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

// ErrAccountBusy reports an account another process is ingesting (a
// `basis serve` poller, or another `basis ingest`).
var ErrAccountBusy = errors.New("another Basis process is ingesting this account")

func (p *Poller) holdLockAndPoll(ctx context.Context) error {
	return p.Ingester.withAccountLock(ctx, p.Account.Name, p.poll)
}

// withAccountLock runs fn holding the account's advisory lock, so that only
// one process fetches an account at a time.
func (in *Ingester) withAccountLock(ctx context.Context, account string, fn func(context.Context) error) error {
	conn, err := in.Store.DB().Conn(ctx)
	if err != nil {
		return fmt.Errorf("mailin: advisory lock: %w", err)
	}
	defer conn.Close()
	key := lockKey(account)
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		return fmt.Errorf("mailin: advisory lock: %w", err)
	}
	if !got {
		return ErrAccountBusy
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
	return fn(ctx)
}

// IngestAccount connects to the account and ingests everything new once,
// holding the account's lock (`basis ingest --once`).
func (in *Ingester) IngestAccount(ctx context.Context, acct Account) (Summary, error) {
	sum := Summary{Account: acct.Name}
	err := in.withAccountLock(ctx, acct.Name, func(ctx context.Context) error {
		c, err := Dial(ctx, acct, in.Log)
		if err != nil {
			return err
		}
		defer c.Close()
		sum, err = in.IngestOnce(ctx, c)
		return err
	})
	if errors.Is(err, ErrAccountBusy) {
		err = fmt.Errorf("account %q: %w (a running `basis serve` polls it; stop it or try again later)", acct.Name, err)
	}
	return sum, err
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
