package smtpsink

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/textproto"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// session is one SMTP connection's state.
type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
	buf    bytes.Buffer
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c}, nil
}

// AuthMechanisms advertises PLAIN only when RequireAuth was called.
func (ss *session) AuthMechanisms() []string {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if !ss.s.authOn {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks AUTH PLAIN credentials.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		ss.s.mu.Lock()
		ok := ss.s.authOn && username == ss.s.user && password == ss.s.pass
		ss.s.mu.Unlock()
		if !ok || (identity != "" && identity != username) {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.s.mu.Lock()
	need := ss.s.authOn
	ss.s.mu.Unlock()
	if need && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if err := ss.answer(AtMail, nil); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.answer(AtRcpt, []string{to}); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	if ss.s.takeDrop() {
		return ss.drop(r)
	}
	ss.buf.Reset()
	if _, err := ss.buf.ReadFrom(r); err != nil {
		return err
	}
	if err := ss.answer(AtData, ss.to); err != nil {
		return err
	}
	m := Message{From: ss.from, To: append([]string(nil), ss.to...), Received: time.Now()}
	if t := tracked(ss.conn.Conn()); t != nil {
		m.Conn = t.id
	}
	if !ss.s.opts.Discard {
		m.Raw = bytes.Clone(ss.buf.Bytes())
		m.MessageID = messageID(m.Raw)
	}
	ss.s.record(m)
	return nil
}

// drop reads the first bytes of the message and hangs up without a reply.
func (ss *session) drop(r io.Reader) error {
	io.ReadFull(r, make([]byte, 64))
	if t := tracked(ss.conn.Conn()); t != nil {
		t.closeBefore.Store(true)
	}
	ss.conn.Conn().Close()
	return errors.New("smtpsink: connection dropped during DATA")
}

// answer applies the first matching rule, if any, returning its reply.
func (ss *session) answer(stage Stage, rcpts []string) error {
	r := ss.s.match(stage, rcpts)
	if r == nil {
		return nil
	}
	if r.Close {
		if t := tracked(ss.conn.Conn()); t != nil {
			t.closeAfter.Store(true)
		}
	}
	return r.reply()
}

func (ss *session) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *session) Logout() error { return nil }

// messageID returns the Message-ID header of raw, or "".
func messageID(raw []byte) string {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	h, _ := tp.ReadMIMEHeader()
	return h.Get("Message-Id")
}
