package mailout

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/emersion/go-smtp"
)

// SendError is why a message was not sent. Callers decide with its flags:
//   - Temporary: try again later (4xx replies, refused, reset or dropped
//     connections, timeouts).
//   - RecipientRejected: the recipient's address does not exist (550, 553,
//     5.1.x); suppress it like a hard bounce.
//   - Config: the sender's settings are wrong (authentication refused, TLS
//     failure); the message itself is fine, so keep it queued and fix the
//     configuration rather than count it as failed.
//
// Anything else is a permanent failure of this message.
type SendError struct {
	Server            string // host:port
	Temporary         bool
	RecipientRejected bool
	Config            bool
	Code              int    // SMTP reply code, 0 if there was no reply
	Enhanced          string // enhanced status code such as "5.1.1", "" if none
	Err               error  // the underlying error
	what              string // what failed, for the message
	stage             stage
}

func (e *SendError) Error() string {
	reason := e.Err.Error()
	var se *smtp.SMTPError
	if errors.As(e.Err, &se) {
		reason = strings.TrimSpace(fmt.Sprintf("%d %s %s", se.Code, e.Enhanced, se.Message))
		reason = strings.Replace(reason, "  ", " ", 1)
	}
	return "mailout: smtp " + e.Server + ": " + e.what + ": " + reason
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// stage is the step of the SMTP exchange an error happened at.
type stage int

const (
	stageDial stage = iota
	stageHello
	stageTLS
	stageAuth
	stageMail
	stageRcpt
	stageData
)

// classify builds the SendError for err returned at st.
func classify(server string, st stage, rcpt string, err error) *SendError {
	e := &SendError{Server: server, Err: err, what: describe(st, rcpt), stage: st}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		e.Code = se.Code
		if se.EnhancedCode != smtp.NoEnhancedCode && se.EnhancedCode != (smtp.EnhancedCode{}) {
			e.Enhanced = fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
		}
		e.Temporary = se.Code >= 400 && se.Code < 500
		if st == stageAuth && !e.Temporary {
			e.Config = true
			e.what = "authentication refused (check mailout.smtp.username and password)"
		}
		if !e.Temporary && recipientUnknown(st, se.Code, e.Enhanced) {
			e.RecipientRejected = true
		}
		if se.Code == 530 || (e.Enhanced == "5.7.0" && st == stageMail) {
			e.Config = true
			e.what = "server requires authentication (set mailout.smtp.username and password)"
		}
		return e
	}
	if isTLSFailure(err) {
		e.Config = true
		e.what += " (check mailout.smtp.tls and the server's certificate)"
		return e
	}
	e.Temporary = isConnectionFailure(err)
	if st == stageTLS && !e.Temporary {
		e.Config = true
		e.what += " (check mailout.smtp.tls: the server may not offer STARTTLS)"
	}
	switch {
	case st == stageDial && e.Temporary:
		e.what = "cannot connect (check mailout.smtp.host and port, and that the server is up)"
	case st >= stageMail && e.Temporary && rcpt != "":
		e.what = "connection lost while sending to " + rcpt
	case e.Temporary:
		e.what = "connection lost during " + phase(st)
	}
	return e
}

func describe(st stage, rcpt string) string {
	switch st {
	case stageDial:
		return "cannot connect"
	case stageHello:
		return "greeting refused"
	case stageTLS:
		return "STARTTLS failed"
	case stageAuth:
		return "authentication failed"
	case stageMail:
		return "sender refused"
	case stageRcpt:
		return "recipient " + rcpt + " refused"
	default:
		return "message to " + rcpt + " refused"
	}
}

// phase names the steps before MAIL FROM.
func phase(st stage) string {
	switch st {
	case stageHello:
		return "greeting"
	case stageTLS:
		return "STARTTLS"
	default:
		return "authentication"
	}
}

// recipientUnknown reports whether a permanent reply says the recipient's
// mailbox does not exist: enhanced 5.1.x about the destination (not 5.1.7
// and 5.1.8, which are about the sender) at any step after MAIL, 5.2.1
// (mailbox disabled), or a bare 550/551/553 at RCPT.
func recipientUnknown(st stage, code int, enhanced string) bool {
	if st < stageRcpt {
		return false
	}
	if strings.HasPrefix(enhanced, "5.1.") {
		return enhanced != "5.1.7" && enhanced != "5.1.8"
	}
	if enhanced == "5.2.1" {
		return true
	}
	return st == stageRcpt && enhanced == "" && (code == 550 || code == 551 || code == 553)
}

func isTLSFailure(err error) bool {
	var (
		recErr   tls.RecordHeaderError
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		alert    tls.AlertError
	)
	return errors.As(err, &recErr) || errors.As(err, &certErr) || errors.As(err, &unknown) ||
		errors.As(err, &hostname) || errors.As(err, &alert)
}

// isConnectionFailure reports errors of the transport, which a later
// attempt may not meet: refused, reset, closed, timed out, cancelled.
func isConnectionFailure(err error) bool {
	var netErr net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &netErr)
}

// failure is the *SendError for err at stage st of the message to rcpt,
// nil for no error; when ctx ended meanwhile, it says so.
func (s *Sender) failure(ctx context.Context, st stage, rcpt string, err error) *SendError {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return classify(s.addr, st, rcpt, err)
}

// staleConnection reports a failure at MAIL without a reply: the
// connection was gone before the message was sent.
func staleConnection(se *SendError) bool {
	return se != nil && se.stage == stageMail && se.Code == 0
}

// errNotSent marks a message stopped before any of it reached the server
// (the sender was told to stop while it waited for a connection or for
// the rate limit): it goes back to the queue without counting an attempt,
// a campaign message too.
var errNotSent = errors.New("mailout: not sent: the sender stopped before the message reached the server")

// notSent wraps err, the reason a message was not sent, as errNotSent.
func notSent(err error) error { return fmt.Errorf("%w (%w)", errNotSent, err) }
