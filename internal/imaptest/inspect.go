package imaptest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Message is a stored message as a client sees it.
type Message struct {
	UID   uint32
	Flags []imap.Flag
	Raw   []byte
}

// HasFlag reports whether the message carries flag (compared without
// regard to case, as IMAP does).
func (m Message) HasFlag(flag imap.Flag) bool {
	return slices.ContainsFunc(m.Flags, func(f imap.Flag) bool { return strings.EqualFold(string(f), string(flag)) })
}

// Messages returns every message of mailbox in UID order, read over IMAP
// like any client would.
func (s *Server) Messages(mailbox string) ([]Message, error) {
	c, err := s.dial()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil, fmt.Errorf("imaptest: select %s: %w", mailbox, err)
	}
	all := imap.SeqSet{}
	all.AddRange(1, 0)
	body := &imap.FetchItemBodySection{Peek: true}
	bufs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		// an empty mailbox answers 1:* with an error on some servers
		if st, serr := s.MailboxStatus(mailbox); serr == nil && st.NumMessages != nil && *st.NumMessages == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("imaptest: fetch %s: %w", mailbox, err)
	}
	out := make([]Message, 0, len(bufs))
	for _, b := range bufs {
		out = append(out, Message{UID: uint32(b.UID), Flags: b.Flags, Raw: b.FindBodySection(body)})
	}
	slices.SortFunc(out, func(a, b Message) int { return cmp.Compare(a.UID, b.UID) })
	return out, c.Logout().Wait()
}

// dial opens a logged-in client connection to the server.
func (s *Server) dial() (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		return nil, fmt.Errorf("imaptest: dial %s: %w", s.Addr(), err)
	}
	if err := c.Login(s.User, s.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("imaptest: login: %w", err)
	}
	return c, nil
}

// ResetUIDValidity gives mailbox a new UIDVALIDITY: its messages are copied
// out, the mailbox is deleted and re-created, and the messages appended
// again with their flags. It returns the new UIDVALIDITY.
func (s *Server) ResetUIDValidity(mailbox string) (uint32, error) {
	msgs, err := s.Messages(mailbox)
	if err != nil {
		return 0, err
	}
	if err := s.user.Delete(mailbox); err != nil {
		return 0, fmt.Errorf("imaptest: delete %s: %w", mailbox, err)
	}
	if err := s.user.Create(mailbox, nil); err != nil {
		return 0, fmt.Errorf("imaptest: create %s: %w", mailbox, err)
	}
	for _, m := range msgs {
		if _, err := s.AppendMessage(mailbox, m.Raw, m.Flags, timeZero); err != nil {
			return 0, err
		}
	}
	st, err := s.MailboxStatus(mailbox)
	if err != nil {
		return 0, fmt.Errorf("imaptest: status %s: %w", mailbox, err)
	}
	return st.UIDValidity, nil
}
