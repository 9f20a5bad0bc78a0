package mailin

import (
	"context"
	"time"

	"github.com/emersion/go-imap/v2"
)

// idleRecheck bounds one WaitForMail under IDLE, so the caller re-checks the
// mailbox now and then even if a notification were lost. imapclient itself
// restarts IDLE every 28 minutes, inside the 29-minute limit of RFC 2177.
const idleRecheck = 10 * time.Minute

// WaitForMail blocks until the server reports new mail in the selected
// mailbox (newMail true), or until it is time to look again anyway (newMail
// false), or ctx ends (ctx.Err()). It uses IDLE when the server advertises
// it, so new mail wakes it at once; otherwise it sleeps pollInterval and
// sends NOOP to collect the server's updates.
//
// A connection that breaks while waiting returns an ErrConnection error.
func (c *Conn) WaitForMail(ctx context.Context, pollInterval time.Duration) (newMail bool, err error) {
	if c.takeMail() {
		return true, nil
	}
	if c.CanIdle() {
		return c.idle(ctx, idleRecheck)
	}
	return c.poll(ctx, pollInterval)
}

// CanIdle reports whether the server advertises IDLE; without it
// WaitForMail polls.
func (c *Conn) CanIdle() bool { return c.client.Caps().Has(imap.CapIdle) }

// takeMail consumes a pending new-mail signal.
func (c *Conn) takeMail() bool {
	select {
	case <-c.mail:
		return true
	default:
		return false
	}
}

// idle runs IDLE until new mail, max, ctx or a broken connection.
// A NOOP first collects updates queued before IDLE starts, which some
// servers only send with the next command.
func (c *Conn) idle(ctx context.Context, max time.Duration) (bool, error) {
	if err := c.noop(ctx); err != nil {
		return false, err
	}
	if c.takeMail() {
		return true, nil
	}
	cmd, err := c.client.Idle()
	if err != nil {
		return false, ctxErr(ctx, c.acct.connError("idle", err))
	}
	timer := time.NewTimer(max)
	defer timer.Stop()
	var mail bool
	select {
	case <-c.mail:
		mail = true
	case <-timer.C:
	case <-ctx.Done():
	case <-c.client.Closed():
		return false, ctxErr(ctx, c.acct.connError("idle", errClosedByServer))
	}
	if err := c.endIdle(cmd); err != nil {
		return false, ctxErr(ctx, c.acct.connError("idle done", err))
	}
	if ctx.Err() != nil {
		return mail, ctx.Err()
	}
	return mail || c.takeMail(), nil
}

// idleCommand is the part of imapclient.IdleCommand that endIdle needs.
type idleCommand interface {
	Close() error
	Wait() error
}

// endIdle sends DONE and waits for the server to end the IDLE command,
// closing the connection if the server does not answer in time.
func (c *Conn) endIdle(cmd idleCommand) error {
	if err := cmd.Close(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(dialTimeout):
		c.client.Close()
		return <-done
	}
}

// poll sleeps interval, then asks the server for updates with NOOP.
func (c *Conn) poll(ctx context.Context, interval time.Duration) (bool, error) {
	timer := time.NewTimer(interval)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case <-c.client.Closed():
		return false, c.acct.connError("poll", errClosedByServer)
	case <-timer.C:
	}
	if err := c.noop(ctx); err != nil {
		return false, err
	}
	return c.takeMail(), nil
}

// noop sends NOOP, through which the server reports pending updates.
func (c *Conn) noop(ctx context.Context) error {
	stop := c.closeOnCancel(ctx)
	defer stop()
	if err := c.client.Noop().Wait(); err != nil {
		return ctxErr(ctx, c.acct.connError("noop", err))
	}
	return nil
}
