package mailin

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// dialTimeout bounds the TCP connect, the TLS handshake and the greeting.
const dialTimeout = 30 * time.Second

// Conn is a logged-in IMAP session with the account's mailbox selected.
// A Conn is used by one goroutine at a time. After an error of kind
// ErrConnection, or a cancelled context, close it and Dial again.
type Conn struct {
	acct   Account
	log    *slog.Logger
	client *imapclient.Client

	// mail is signalled (without blocking) when the server reports new
	// messages (EXISTS) in the selected mailbox.
	mail chan struct{}

	mu     sync.Mutex
	exists uint32        // last known message count
	state  MailboxState  // from the last SELECT
	perm   []imap.Flag   // PERMANENTFLAGS from the last SELECT
	closed chan struct{} // closed by Close
	once   sync.Once
}

// MailboxState is what SELECT tells about the mailbox.
type MailboxState struct {
	UIDValidity uint32
	UIDNext     uint32
	Exists      uint32
}

// Dial connects to the account's server, logs in and selects its mailbox.
// Failures are *AccountError values naming the setting to check; test them
// with errors.Is(err, ErrLoginRefused) and the other Err* kinds.
func Dial(ctx context.Context, a Account, log *slog.Logger) (*Conn, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	c := &Conn{acct: a, log: log.With("account", a.Name), mail: make(chan struct{}, 1), closed: make(chan struct{})}
	client, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	c.client = client
	stop := c.closeOnCancel(ctx)
	defer stop()
	if client.Caps().Has(imap.CapLoginDisabled) {
		client.Close()
		return nil, a.plaintextRefused()
	}
	if err := client.Login(a.Username, a.Password).Wait(); err != nil {
		client.Close()
		return nil, ctxErr(ctx, a.loginError(err))
	}
	if _, err := c.Select(ctx); err != nil {
		client.Close()
		return nil, err
	}
	c.log.Debug("imap connected", "addr", a.addr(), "mailbox", a.mailbox())
	return c, nil
}

// connect opens the TCP connection and sets up TLS as configured.
func (c *Conn) connect(ctx context.Context) (*imapclient.Client, error) {
	a := c.acct
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	d := net.Dialer{KeepAlive: 15 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", a.addr())
	if err != nil {
		return nil, a.dialError(err)
	}
	opts := &imapclient.Options{
		TLSConfig:             &tls.Config{ServerName: a.Host, InsecureSkipVerify: a.InsecureSkipVerify, MinVersion: tls.VersionTLS12},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: c.onMailbox, Expunge: c.onExpunge},
	}
	var client *imapclient.Client
	switch a.TLS {
	case TLSImplicit:
		tc := tls.Client(raw, opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, a.dialError(err)
		}
		client = imapclient.New(tc, opts)
	case TLSStartTLS:
		stop := context.AfterFunc(ctx, func() { raw.Close() })
		client, err = imapclient.NewStartTLS(raw, opts)
		stop()
		if err != nil {
			raw.Close()
			return nil, a.fail(ErrTLS, a.key("tls"), err, "starttls with %s failed", a.addr())
		}
	default:
		client = imapclient.New(raw, opts)
	}
	stop := context.AfterFunc(ctx, func() { client.Close() })
	err = client.WaitGreeting()
	stop()
	if err != nil {
		client.Close()
		return nil, a.fail(ErrUnreachable, a.key("host")+" and "+a.key("port"), err,
			"no IMAP greeting from %s", a.addr())
	}
	return client, nil
}

// onMailbox records EXISTS updates and wakes WaitForMail when the count grows.
func (c *Conn) onMailbox(data *imapclient.UnilateralDataMailbox) {
	if data.NumMessages == nil {
		return
	}
	c.mu.Lock()
	grew := *data.NumMessages > c.exists
	c.exists = *data.NumMessages
	c.mu.Unlock()
	if grew {
		select {
		case c.mail <- struct{}{}:
		default:
		}
	}
}

// onExpunge keeps the message count in step, so the next EXISTS that grows
// it is recognised as new mail.
func (c *Conn) onExpunge(uint32) {
	c.mu.Lock()
	if c.exists > 0 {
		c.exists--
	}
	c.mu.Unlock()
}

// Select (re)selects the account's mailbox and returns its state.
func (c *Conn) Select(ctx context.Context) (MailboxState, error) {
	stop := c.closeOnCancel(ctx)
	defer stop()
	data, err := c.client.Select(c.acct.mailbox(), nil).Wait()
	if err != nil {
		return MailboxState{}, ctxErr(ctx, c.acct.selectError(err))
	}
	st := MailboxState{UIDValidity: data.UIDValidity, UIDNext: uint32(data.UIDNext), Exists: data.NumMessages}
	c.mu.Lock()
	c.state, c.exists, c.perm = st, data.NumMessages, data.PermanentFlags
	c.mu.Unlock()
	return st, nil
}

// State returns the mailbox state seen by the last Select.
func (c *Conn) State() MailboxState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Account returns the account this connection serves.
func (c *Conn) Account() Account { return c.acct }

// Close logs out (briefly waiting for the server) and closes the connection.
func (c *Conn) Close() error {
	var err error
	c.once.Do(func() {
		close(c.closed)
		done := make(chan error, 1)
		go func() { done <- c.client.Logout().Wait() }()
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
		}
		if cerr := c.client.Close(); err == nil {
			err = cerr
		}
	})
	if err != nil {
		c.log.Debug("imap logout", "err", err)
	}
	return nil
}

// closeOnCancel closes the connection if ctx ends before stop is called:
// IMAP commands cannot be aborted, so a cancelled command kills the session.
func (c *Conn) closeOnCancel(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, func() { c.client.Close() })
}

// ctxErr prefers the context's error when the context has ended, so a
// cancelled caller sees context.Canceled rather than a broken connection.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
