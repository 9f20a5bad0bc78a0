package mailin

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// TLS modes of an Account.
const (
	TLSImplicit = "implicit" // TLS from the first byte (port 993)
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS (port 143)
	TLSNone     = "none"     // no encryption; refused unless the host is loopback
)

// After-actions applied to a message once it is stored.
const (
	AfterFlag = "flag" // add the $Basis keyword and \Seen
	AfterNone = "none" // leave the message as it is
	// AfterMovePrefix starts "move:FOLDER": move the message to FOLDER.
	AfterMovePrefix = "move:"
)

// Keyword is the IMAP keyword that after: flag sets on processed messages.
const Keyword = "$Basis"

// Account is one configured IMAP account, as in mailin.accounts of the
// config file.
type Account struct {
	Name     string
	Host     string
	Port     int
	TLS      string // implicit | starttls | none
	Username string
	Password string
	Mailbox  string // INBOX when empty
	After    string // flag | move:FOLDER | none; flag when empty

	// Index is the position in mailin.accounts, used to name the setting to
	// check in error messages.
	Index int
	// InsecureSkipVerify accepts any server certificate. Tests only.
	InsecureSkipVerify bool
}

// key names a setting of this account the way the config file spells it.
func (a Account) key(setting string) string {
	return fmt.Sprintf("mailin.accounts[%d].%s", a.Index, setting)
}

// mailbox is the mailbox to poll, INBOX by default.
func (a Account) mailbox() string {
	if a.Mailbox == "" {
		return "INBOX"
	}
	return a.Mailbox
}

// after is the configured after-action, flag by default.
func (a Account) after() string {
	if a.After == "" {
		return AfterFlag
	}
	return a.After
}

// addr is host:port.
func (a Account) addr() string {
	return net.JoinHostPort(a.Host, fmt.Sprint(a.Port))
}

// Validate reports every problem of the account, one line each, naming the
// setting and what it should be.
func (a Account) Validate() error {
	var errs []error
	bad := func(setting, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", a.key(setting), fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(a.Name) == "" {
		bad("name", "is empty; give the account a short name such as \"shared\"")
	}
	if strings.TrimSpace(a.Host) == "" {
		bad("host", "is empty; set the IMAP server's host name")
	}
	if a.Port < 1 || a.Port > 65535 {
		bad("port", "%d is not a TCP port (993 for tls: implicit, 143 otherwise)", a.Port)
	}
	switch a.TLS {
	case TLSImplicit, TLSStartTLS:
	case TLSNone:
		if a.Host != "" && !isLoopback(a.Host) {
			bad("tls", "none is allowed only for a loopback host, not %q; use implicit or starttls", a.Host)
		}
	default:
		bad("tls", "%q is not one of implicit, starttls, none", a.TLS)
	}
	if a.Username == "" {
		bad("username", "is empty; set the IMAP login name")
	}
	if a.Password == "" {
		bad("password", "is empty; set it or password_env")
	}
	if _, err := ParseAfter(a.after()); err != nil {
		bad("after", "%v", err)
	}
	return errors.Join(errs...)
}

// AfterAction is a parsed after: setting.
type AfterAction struct {
	Kind   string // AfterFlag, AfterNone or "move"
	Folder string // for "move"
}

// ParseAfter parses an after: setting: flag, none or move:FOLDER.
func ParseAfter(s string) (AfterAction, error) {
	switch {
	case s == AfterFlag || s == AfterNone:
		return AfterAction{Kind: s}, nil
	case strings.HasPrefix(s, AfterMovePrefix):
		folder := strings.TrimSpace(strings.TrimPrefix(s, AfterMovePrefix))
		if folder == "" {
			return AfterAction{}, fmt.Errorf("%q names no folder; write move:FOLDER, e.g. move:Processed", s)
		}
		return AfterAction{Kind: "move", Folder: folder}, nil
	default:
		return AfterAction{}, fmt.Errorf("%q is not one of flag, none, move:FOLDER", s)
	}
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
