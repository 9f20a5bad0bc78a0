package mailin

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"

	"github.com/emersion/go-imap/v2"
)

// Kinds of IMAP failure; test with errors.Is on any error this package returns
// from Dial, Select, Fetch, After or WaitForMail.
var (
	// ErrUnreachable: no TCP connection (refused, DNS failure, timeout).
	ErrUnreachable = errors.New("imap server unreachable")
	// ErrTLS: the TLS handshake or STARTTLS failed.
	ErrTLS = errors.New("imap tls failed")
	// ErrLoginRefused: the server refused the username or password.
	ErrLoginRefused = errors.New("imap login refused")
	// ErrMailboxMissing: the configured mailbox does not exist.
	ErrMailboxMissing = errors.New("imap mailbox missing")
	// ErrConnection: the connection broke or the server failed a command
	// after login; reconnecting is the remedy.
	ErrConnection = errors.New("imap connection failed")
)

// AccountError is an IMAP failure of one account. Its message is one line
// naming the account, what happened and the setting to check.
type AccountError struct {
	Account string // account name
	Kind    error  // one of the Err* values above
	Setting string // the config keys to check, e.g. mailin.accounts[0].tls
	Err     error  // the underlying error, may be nil
	msg     string
}

// Error returns the one-line message.
func (e *AccountError) Error() string {
	s := fmt.Sprintf("account %q: %s", e.Account, e.msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Setting != "" {
		s += " (check " + e.Setting + ")"
	}
	return s
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *AccountError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// fail builds an AccountError for account a.
func (a Account) fail(kind error, setting string, err error, format string, args ...any) *AccountError {
	return &AccountError{Account: a.Name, Kind: kind, Setting: setting, Err: err, msg: fmt.Sprintf(format, args...)}
}

// dialError classifies a failure to open the connection (TCP or TLS).
func (a Account) dialError(err error) error {
	if isTLSError(err) {
		return a.fail(ErrTLS, a.key("tls")+" and the server's certificate", err,
			"tls handshake with %s failed", a.addr())
	}
	return a.fail(ErrUnreachable, a.key("host")+" and "+a.key("port"), err,
		"cannot connect to %s", a.addr())
}

// loginError classifies a failed LOGIN.
func (a Account) loginError(err error) error {
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeNo {
		return a.connError("login", err)
	}
	switch ie.Code {
	case imap.ResponseCodePrivacyRequired:
		return a.fail(ErrTLS, a.key("tls"), nil,
			"%s refuses to log in without TLS", a.addr())
	case imap.ResponseCodeUnavailable:
		return a.fail(ErrConnection, "", err,
			"login on %s temporarily unavailable", a.addr())
	}
	return a.fail(ErrLoginRefused, a.key("username")+" and password", nil,
		"login refused by %s", a.addr())
}

// plaintextRefused is the error for a server that advertises LOGINDISABLED.
func (a Account) plaintextRefused() error {
	return a.fail(ErrTLS, a.key("tls"), nil, "%s refuses to log in without TLS", a.addr())
}

// selectError classifies a failed SELECT.
func (a Account) selectError(err error) error {
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
		return a.fail(ErrMailboxMissing, a.key("mailbox"), err,
			"mailbox %q cannot be selected on %s", a.mailbox(), a.addr())
	}
	return a.connError("select", err)
}

// connError wraps a failure of a command after login.
func (a Account) connError(op string, err error) error {
	return a.fail(ErrConnection, "", err, "%s on %s failed", op, a.addr())
}

// isTLSError reports whether err comes from a TLS handshake.
func isTLSError(err error) bool {
	var (
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	if errors.As(err, &recErr) || errors.As(err, &alert) || errors.As(err, &certErr) ||
		errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "remote error"
}

// errClosedByServer is the cause when the server closed the connection.
var errClosedByServer = errors.New("connection closed by the server")
