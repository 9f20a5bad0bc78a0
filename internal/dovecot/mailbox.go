package dovecot

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Doveadm is the Dovecot admin tool, from the same package.
var Doveadm = "/usr/bin/doveadm"

// Deliver appends raws to mailbox (created when missing) over IMAP, on one
// connection, as a mail delivery would.
func (d *Dovecot) Deliver(t TB, mailbox string, raws ...[]byte) {
	t.Helper()
	if err := d.Append(mailbox, raws...); err != nil {
		t.Fatalf("%v", err)
	}
}

// Append is Deliver without a test.
func (d *Dovecot) Append(mailbox string, raws ...[]byte) error {
	c, err := d.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := createMailbox(c, mailbox); err != nil {
		return err
	}
	for _, raw := range raws {
		cmd := c.Append(mailbox, int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			return fmt.Errorf("dovecot: append to %s: %w", mailbox, err)
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("dovecot: append to %s: %w", mailbox, err)
		}
		if _, err := cmd.Wait(); err != nil {
			return fmt.Errorf("dovecot: append to %s: %w", mailbox, err)
		}
	}
	return c.Logout().Wait()
}

// Dial opens a logged-in IMAP client to the instance.
func (d *Dovecot) Dial() (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(d.Addr(), nil)
	if err != nil {
		return nil, fmt.Errorf("dovecot: dial %s: %w", d.Addr(), err)
	}
	if err := c.Login(d.User, d.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("dovecot: login: %w", err)
	}
	return c, nil
}

// Status returns the message count, UIDNEXT and UIDVALIDITY of mailbox.
func (d *Dovecot) Status(t TB, mailbox string) *imap.StatusData {
	t.Helper()
	c, err := d.Dial()
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer c.Close()
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true}).Wait()
	if err != nil {
		t.Fatalf("dovecot: status %s: %v", mailbox, err)
	}
	return st
}

// ResetUIDValidity gives mailbox a new, higher UIDVALIDITY with doveadm
// (messages stay, sessions that have it selected are disconnected by
// Dovecot) and returns it.
func (d *Dovecot) ResetUIDValidity(t TB, mailbox string) uint32 {
	t.Helper()
	old := d.Status(t, mailbox).UIDValidity
	next := old + 1
	out, err := exec.Command(Doveadm, "-c", d.conf, "mailbox", "update", "-u", d.User,
		"--uid-validity", fmt.Sprint(next), mailbox).CombinedOutput()
	if err != nil {
		t.Fatalf("dovecot: doveadm mailbox update %s: %v: %s", mailbox, err, strings.TrimSpace(string(out)))
	}
	if got := d.Status(t, mailbox).UIDValidity; got != next {
		t.Fatalf("dovecot: UIDVALIDITY of %s is %d after update, want %d", mailbox, got, next)
	}
	return next
}

// createMailbox creates mailbox unless it exists.
func createMailbox(c *imapclient.Client, mailbox string) error {
	if strings.EqualFold(mailbox, "INBOX") {
		return nil
	}
	err := c.Create(mailbox, nil).Wait()
	var ie *imap.Error
	if err == nil || (errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists) {
		return nil
	}
	return fmt.Errorf("dovecot: create %s: %w", mailbox, err)
}
