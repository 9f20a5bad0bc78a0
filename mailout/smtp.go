package mailout

// Why go-smtp's client sends and go-mail only composes: go-mail's Client
// sends a *Msg, which it renders again on every send, and a message read back
// from raw bytes (EMLToMsgFromReader) is re-encoded, not byte-identical. The
// bytes we keep as evidence, and sign with DKIM, must be exactly the bytes on
// the wire, so the sender takes raw bytes. go-mail's lower smtp package could
// carry raw bytes too, but it reports replies as textproto errors without the
// enhanced status code and puts one absolute deadline on a connection, which
// fights connection reuse. github.com/emersion/go-smtp's Client returns
// *smtp.SMTPError with code and enhanced code, applies a timeout per command,
// and is the same library as our test sink (internal/smtpsink).

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/emersion/go-smtp"
)

// Sender delivers raw messages over a fixed number of reused SMTP
// connections at a bounded rate. It is safe for concurrent use: up to
// Concurrency Sends run at once, others wait for a connection.
type Sender struct {
	cfg   SMTPConfig
	addr  string
	log   *slog.Logger
	limit *rateLimiter
	slots chan *slot

	mu     sync.Mutex
	closed bool
}

// slot is one connection of the pool; client is nil until first used and
// after a failure that made the connection unusable. pipe, when not nil,
// runs its transactions (smtp_pipeline.go).
type slot struct {
	client *smtp.Client
	pipe   *pipe
}

// ErrSenderClosed is returned by Send after Close.
var ErrSenderClosed = errors.New("mailout: sender closed")

// NewSender checks cfg and returns a Sender. It does not connect: the first
// Sends do.
func NewSender(cfg SMTPConfig, log *slog.Logger) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Sender{
		cfg:   cfg,
		addr:  cfg.Addr(),
		log:   log,
		limit: newRateLimiter(cfg.RatePerSecond),
		slots: make(chan *slot, cfg.Concurrency),
	}
	for range cfg.Concurrency {
		s.slots <- &slot{}
	}
	return s, nil
}

// Send delivers raw, exactly as given, from envelopeFrom to one recipient.
// A failure is a *SendError, or errNotSent wrapping ctx's error when ctx
// ended while waiting for a connection or for the rate limit.
func (s *Sender) Send(ctx context.Context, envelopeFrom, to string, raw []byte) error {
	if err := ctx.Err(); err != nil {
		return notSent(err)
	}
	var sl *slot
	select {
	case sl = <-s.slots:
	case <-ctx.Done():
		return notSent(ctx.Err())
	}
	defer func() { s.slots <- sl }()
	if s.isClosed() {
		sl.close()
		return ErrSenderClosed
	}
	if err := s.limit.Wait(ctx); err != nil {
		return notSent(err)
	}
	return s.sendReusing(ctx, sl, sl.client != nil, envelopeFrom, to, raw)
}

// sendReusing runs one transaction on sl. On a reused connection, a
// failure at MAIL without a reply is a connection the server closed while
// it was idle, before any of the message was sent: the message is sent
// again, once, on a fresh connection.
func (s *Sender) sendReusing(ctx context.Context, sl *slot, reused bool, envelopeFrom, to string, raw []byte) error {
	err := s.sendOn(ctx, sl, envelopeFrom, to, raw)
	var se *SendError
	if reused && errors.As(err, &se) && staleConnection(se) {
		s.log.Debug("smtp connection went stale, reconnecting", "server", s.addr, "error", err)
		err = s.sendOn(ctx, sl, envelopeFrom, to, raw)
	}
	return err
}

// connect dials a fresh connection for sl.
func (s *Sender) connect(ctx context.Context, sl *slot) error {
	c, p, err := s.dial(ctx)
	if err != nil {
		return err
	}
	sl.client, sl.pipe = c, p
	return nil
}

// sendOn runs one transaction on sl, connecting first if needed.
func (s *Sender) sendOn(ctx context.Context, sl *slot, from, to string, raw []byte) error {
	if sl.client == nil {
		if err := s.connect(ctx, sl); err != nil {
			return err
		}
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { sl.client.Close() })
		defer stop()
	}
	var st stage
	var err error
	if sl.pipe != nil {
		st, err = sl.pipe.transaction(from, to, raw)
	} else {
		st, err = transaction(sl.client, from, to, raw)
	}
	if err == nil {
		return nil
	}
	se := s.failure(ctx, st, to, err)
	s.afterFailure(sl, se)
	return se
}

// afterFailure keeps the connection after a plain SMTP refusal (reset for
// the next message) and drops it after anything else.
func (s *Sender) afterFailure(sl *slot, se *SendError) {
	if se.Code != 0 && se.Code != 421 {
		if err := sl.client.Reset(); err == nil {
			return
		}
	}
	sl.close()
}

// transaction sends one message; it returns the stage that failed.
func transaction(c *smtp.Client, from, to string, raw []byte) (stage, error) {
	if err := c.Mail(from, nil); err != nil {
		return stageMail, err
	}
	if err := c.Rcpt(to, nil); err != nil {
		return stageRcpt, err
	}
	w, err := c.Data()
	if err != nil {
		return stageData, err
	}
	if _, err := w.Write(raw); err != nil {
		w.Close()
		return stageData, err
	}
	return stageData, w.Close()
}

func (sl *slot) close() {
	if sl.client != nil {
		sl.client.Close()
		sl.client, sl.pipe = nil, nil
	}
}

func (s *Sender) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close says QUIT on every idle connection and makes later Sends fail; it
// waits for Sends in progress to finish.
func (s *Sender) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	for range cap(s.slots) {
		sl := <-s.slots
		if sl.client != nil {
			sl.client.Quit()
			sl.close()
		}
		defer func() { s.slots <- sl }()
	}
	return nil
}
