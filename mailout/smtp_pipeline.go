package mailout

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// go-smtp's Client runs a transaction one command at a time: MAIL, wait,
// RCPT, wait, DATA, wait, then the message through textproto's dot writer,
// which handles it a byte at a time. With the server's PIPELINING (RFC
// 2920) a pipe sends MAIL, RCPT and DATA in one write and the whole
// message, dot-stuffed, in the next: two round trips instead of four, and
// a few system calls per message instead of a dozen. It needs the bytes of
// the connection, so it is used where the sender holds them (no TLS, or
// implicit TLS); a STARTTLS connection, upgraded inside go-smtp, keeps
// go-smtp's transaction. go-smtp still greets, logs in, resets and quits.

// pipe is the raw side of one pooled connection.
type pipe struct {
	conn    net.Conn
	r       *textproto.Reader
	w       *bufio.Writer
	buf     []byte // reused for each dot-stuffed message
	timeout time.Duration
	submit  time.Duration // wait for the reply to the final dot
	bodyOpt string        // " BODY=8BITMIME" when the server has it, as go-smtp sends
}

// newPipe returns a pipe over conn when c (greeted over conn, without
// STARTTLS) announced PIPELINING, else nil.
func newPipe(conn net.Conn, c *smtp.Client, timeout, submit time.Duration) *pipe {
	if ok, _ := c.Extension("PIPELINING"); !ok {
		return nil
	}
	p := &pipe{conn: conn, r: textproto.NewReader(bufio.NewReader(conn)), w: bufio.NewWriterSize(conn, 8192),
		timeout: timeout, submit: submit}
	if ok, _ := c.Extension("8BITMIME"); ok {
		p.bodyOpt = " BODY=8BITMIME"
	}
	return p
}

// transaction sends raw from from to to; it returns the stage that failed.
// A refusal of MAIL or RCPT leaves the connection ready for RSET, as with
// go-smtp.
func (p *pipe) transaction(from, to string, raw []byte) (stage, error) {
	if _, st, err := p.send(from, to, raw, false); err != nil {
		return st, err
	}
	return stageData, p.finish()
}

// send starts the transaction of raw and leaves its body, dot-stuffed and
// ended, in the write buffer: finish, or the next send, writes it and reads
// the reply to its final dot. With pending (the previous message's body
// still in the buffer), the envelope goes out in the same write as that
// body (RFC 2920 lets message content open a group), and prev is the reply
// to the previous message's final dot. It returns the stage of this
// message that failed; an I/O error there (prev's too) means the
// connection is unusable.
func (p *pipe) send(from, to string, raw []byte, pending bool) (prev error, st stage, err error) {
	if strings.ContainsAny(from, "\r\n") || strings.ContainsAny(to, "\r\n") {
		if pending {
			prev = p.finish()
		}
		return prev, stageMail, errors.New("smtp: a line must not contain CR or LF")
	}
	p.conn.SetDeadline(time.Now().Add(p.timeout))
	defer p.conn.SetDeadline(time.Time{})
	p.w.WriteString("MAIL FROM:<" + from + ">" + p.bodyOpt + "\r\nRCPT TO:<" + to + ">\r\nDATA\r\n")
	if err := p.w.Flush(); err != nil {
		if pending {
			prev = err
		}
		return prev, stageMail, err
	}
	if pending {
		p.conn.SetDeadline(time.Now().Add(p.submit))
		if prev = p.reply(250); isIOError(prev) {
			return prev, stageMail, prev
		}
		p.conn.SetDeadline(time.Now().Add(p.timeout))
	}
	var errs [3]error // the replies to MAIL, RCPT and DATA
	stages := [3]stage{stageMail, stageRcpt, stageData}
	for i, expect := range [3]int{250, 25, 354} {
		if errs[i] = p.reply(expect); isIOError(errs[i]) {
			if first := firstErr(errs[:i]); first >= 0 { // e.g. 421 and the server hung up
				return prev, stages[first], errs[first]
			}
			return prev, stages[i], errs[i]
		}
	}
	if first := firstErr(errs[:2]); first >= 0 {
		if errs[2] == nil { // a server that took DATA anyway gets an empty message to refuse
			if err := p.abortData(); err != nil {
				return prev, stageData, err
			}
		}
		return prev, stages[first], errs[first]
	}
	if errs[2] != nil {
		return prev, stageData, errs[2]
	}
	p.buf = dotStuff(p.buf[:0], raw)
	if _, err := p.w.Write(p.buf); err != nil { // a body larger than the buffer is partly written here
		return prev, stageData, err
	}
	return prev, stageData, nil
}

// finish writes what the buffer holds (a message's body left by send) and
// reads the reply to its final dot.
func (p *pipe) finish() error {
	p.conn.SetDeadline(time.Now().Add(p.timeout))
	defer p.conn.SetDeadline(time.Time{})
	if err := p.w.Flush(); err != nil {
		return err
	}
	p.conn.SetDeadline(time.Now().Add(p.submit))
	return p.reply(250)
}

// abortData ends a DATA the server should not have accepted.
func (p *pipe) abortData() error {
	p.w.WriteString(".\r\n")
	if err := p.w.Flush(); err != nil {
		return err
	}
	if err := p.reply(250); isIOError(err) {
		return err
	}
	return nil
}

// firstErr is the index of the first non-nil error, or -1.
func firstErr(errs []error) int {
	for i, err := range errs {
		if err != nil {
			return i
		}
	}
	return -1
}

// reply reads one reply; a reply other than expect (250, or 25 for any
// 25x) is an *smtp.SMTPError, with its enhanced code when there is one.
func (p *pipe) reply(expect int) error {
	_, _, err := p.r.ReadResponse(expect)
	var te *textproto.Error
	if errors.As(err, &te) {
		return smtpError(te)
	}
	return err
}

// isIOError reports an error that is not an SMTP reply: the connection is
// unusable.
func isIOError(err error) bool {
	var se *smtp.SMTPError
	return err != nil && !errors.As(err, &se)
}

// smtpError converts a reply into go-smtp's error, splitting an enhanced
// status code ("5.1.1 no such user") off the text as go-smtp does.
func smtpError(te *textproto.Error) *smtp.SMTPError {
	e := &smtp.SMTPError{Code: te.Code, Message: te.Msg}
	first, rest, ok := strings.Cut(te.Msg, " ")
	if !ok {
		return e
	}
	parts := strings.Split(first, ".")
	if len(parts) != 3 {
		return e
	}
	var code smtp.EnhancedCode
	for i, part := range parts {
		n, err := strconv.Atoi(part)
		if err != nil {
			return e
		}
		code[i] = n
	}
	e.EnhancedCode = code
	e.Message = strings.ReplaceAll(rest, "\n"+first+" ", "\n")
	return e
}

// dotStuff appends raw to dst as the DATA of an SMTP transaction, exactly
// as textproto's DotWriter writes it: a line starting with "." gets
// another, an LF gets a CR before it unless it ends a CRLF, and the data
// ends with ".\r\n" on a line of its own.
func dotStuff(dst, raw []byte) []byte {
	if len(raw) == 0 {
		return append(dst, "\r\n.\r\n"...)
	}
	for {
		if raw[0] == '.' {
			dst = append(dst, '.')
		}
		i := bytes.IndexByte(raw, '\n')
		if i < 0 { // last line, without LF
			dst = append(dst, raw...)
			if endsInCR(raw) {
				return append(dst, "\n.\r\n"...)
			}
			return append(dst, "\r\n.\r\n"...)
		}
		dst = append(dst, raw[:i]...)
		if !endsInCR(raw[:i]) {
			dst = append(dst, '\r')
		}
		dst = append(dst, '\n')
		raw = raw[i+1:]
		if len(raw) == 0 {
			return append(dst, ".\r\n"...)
		}
	}
}

// endsInCR reports whether textproto's DotWriter, after line, waits for
// the LF of a CRLF: line ends in an odd number of CRs (of "\r\r" the
// second is taken as data).
func endsInCR(line []byte) bool {
	n := 0
	for n < len(line) && line[len(line)-1-n] == '\r' {
		n++
	}
	return n%2 == 1
}
