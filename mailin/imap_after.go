package mailin

import (
	"context"
	"errors"

	"github.com/emersion/go-imap/v2"
)

// After applies the after-action (flag, none or move:FOLDER) to the
// messages uids of the selected mailbox. Call it only once the messages are
// safely stored: a moved message is no longer in the polled mailbox.
//
// flag adds the $Basis keyword and \Seen; if the server refuses keywords it
// sets \Seen only and logs it. move:FOLDER creates FOLDER when missing and
// uses UID MOVE, or COPY, STORE \Deleted and EXPUNGE on servers without MOVE.
func (c *Conn) After(ctx context.Context, uids []uint32, after string) error {
	act, err := ParseAfter(after)
	if err != nil {
		return c.acct.fail(ErrConnection, c.acct.key("after"), err, "invalid after-action")
	}
	if len(uids) == 0 || act.Kind == AfterNone {
		return nil
	}
	set := uidSet(uids)
	stop := c.closeOnCancel(ctx)
	defer stop()
	if act.Kind == AfterFlag {
		err = c.flag(set)
	} else {
		err = c.move(set, act.Folder)
	}
	return ctxErr(ctx, err)
}

// flag stores $Basis and \Seen, or \Seen alone when keywords are refused.
func (c *Conn) flag(set imap.UIDSet) error {
	flags := []imap.Flag{imap.FlagSeen}
	if c.keywordsAllowed() {
		flags = append(flags, Keyword)
	} else {
		c.log.Warn("server does not allow keywords; marking processed mail \\Seen only", "keyword", Keyword)
	}
	err := c.store(set, flags)
	var ie *imap.Error
	if err != nil && len(flags) > 1 && errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
		c.log.Warn("server refused the keyword; marking processed mail \\Seen only", "keyword", Keyword, "err", err)
		err = c.store(set, []imap.Flag{imap.FlagSeen})
	}
	if err != nil {
		return c.acct.connError("uid store +flags", err)
	}
	return nil
}

// store adds flags silently.
func (c *Conn) store(set imap.UIDSet, flags []imap.Flag) error {
	return c.client.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close()
}

// keywordsAllowed reads PERMANENTFLAGS: \* or $Basis itself allows the
// keyword. A server that sent no PERMANENTFLAGS is given the benefit of the
// doubt (a refusal is handled when storing).
func (c *Conn) keywordsAllowed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.perm) == 0 {
		return true
	}
	for _, f := range c.perm {
		if f == imap.FlagWildcard || f == Keyword {
			return true
		}
	}
	return false
}

// move moves set to folder, creating folder when it does not exist.
func (c *Conn) move(set imap.UIDSet, folder string) error {
	list, err := c.client.List("", folder, nil).Collect()
	if err != nil {
		return c.acct.connError("list "+folder, err)
	}
	if len(list) == 0 {
		if err := c.client.Create(folder, nil).Wait(); err != nil {
			return c.acct.fail(ErrConnection, c.acct.key("after"), err, "cannot create folder %q on %s", folder, c.acct.addr())
		}
		c.log.Info("imap folder created", "folder", folder)
	}
	if _, err := c.client.Move(set, folder).Wait(); err != nil {
		return c.acct.fail(ErrConnection, c.acct.key("after"), err, "cannot move messages to %q on %s", folder, c.acct.addr())
	}
	return nil
}

// uidSet turns a list of UIDs into an IMAP UID set.
func uidSet(uids []uint32) imap.UIDSet {
	var set imap.UIDSet
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	return set
}
