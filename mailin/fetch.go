package mailin

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Fetched is one message read from the server.
type Fetched struct {
	UID          uint32
	InternalDate time.Time
	Size         int64 // RFC822.SIZE as the server reports it
	// Raw is the whole message, or only its header when Oversize is set.
	Raw []byte
	// Oversize is set when Size exceeded the fetch's maxBytes: the body was
	// left on the server and Raw holds the header only.
	Oversize bool
}

// DefaultBatch is the number of messages fetched per UID FETCH.
const DefaultBatch = 500

// Fetch calls fn, in UID order, for every message whose UID is greater than
// afterUID, fetching batch messages per round trip. Messages larger than
// maxBytes (when maxBytes > 0) are fetched as header only, with Oversize set.
//
// Bodies are streamed: each is read once into a buffer of its exact size and
// handed to fn, so memory stays bounded by the largest message accepted.
// fn runs while the FETCH response is being read and must not use the Conn.
// An error from fn stops the fetch and is returned as it is.
func (c *Conn) Fetch(ctx context.Context, afterUID uint32, batch int, maxBytes int64, fn func(Fetched) error) error {
	if batch <= 0 {
		batch = DefaultBatch
	}
	uids, err := c.uidsAfter(ctx, afterUID)
	if err != nil {
		return err
	}
	for start := 0; start < len(uids); start += batch {
		end := min(start+batch, len(uids))
		if err := c.fetchBatch(ctx, uids[start:end], maxBytes, fn); err != nil {
			return err
		}
	}
	return nil
}

// uidsAfter lists, in ascending order, the UIDs greater than afterUID.
func (c *Conn) uidsAfter(ctx context.Context, afterUID uint32) ([]imap.UID, error) {
	stop := c.closeOnCancel(ctx)
	defer stop()
	var set imap.UIDSet
	set.AddRange(imap.UID(afterUID+1), 0) // afterUID+1:*
	data, err := c.client.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, ctxErr(ctx, c.acct.connError("uid search", err))
	}
	// "n:*" matches the last message even when its UID is below n.
	uids := slices.DeleteFunc(data.AllUIDs(), func(u imap.UID) bool { return uint32(u) <= afterUID })
	slices.Sort(uids)
	return slices.Compact(uids), nil
}

// meta is what the first FETCH of a batch learns about each message.
type meta struct {
	uid  imap.UID
	date time.Time
	size int64
}

// fetchBatch fetches the sizes of a batch, then streams the bodies (or
// headers of oversize messages) in runs that keep UID order.
func (c *Conn) fetchBatch(ctx context.Context, uids []imap.UID, maxBytes int64, fn func(Fetched) error) error {
	metas, err := c.fetchMeta(ctx, uids)
	if err != nil {
		return err
	}
	for len(metas) > 0 {
		over := maxBytes > 0 && metas[0].size > maxBytes
		n := 1
		for n < len(metas) && (maxBytes > 0 && metas[n].size > maxBytes) == over {
			n++
		}
		if err := c.fetchBodies(ctx, metas[:n], over, fn); err != nil {
			return err
		}
		metas = metas[n:]
	}
	return nil
}

// fetchMeta fetches UID, RFC822.SIZE and INTERNALDATE of uids, in UID order.
// Messages expunged meanwhile are simply missing.
func (c *Conn) fetchMeta(ctx context.Context, uids []imap.UID) ([]meta, error) {
	stop := c.closeOnCancel(ctx)
	defer stop()
	opts := &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}
	msgs, err := c.client.Fetch(imap.UIDSetNum(uids...), opts).Collect()
	if err != nil {
		return nil, ctxErr(ctx, c.acct.connError("uid fetch sizes", err))
	}
	want := imap.UIDSetNum(uids...)
	out := make([]meta, 0, len(msgs))
	for _, m := range msgs {
		if m.UID != 0 && want.Contains(m.UID) {
			out = append(out, meta{uid: m.UID, date: m.InternalDate, size: m.RFC822Size})
		}
	}
	slices.SortFunc(out, func(a, b meta) int { return cmp.Compare(a.uid, b.uid) })
	return slices.CompactFunc(out, func(a, b meta) bool { return a.uid == b.uid }), nil
}

// fetchBodies streams BODY.PEEK[] (or BODY.PEEK[HEADER] when header is set)
// of metas and calls fn for each, in UID order.
func (c *Conn) fetchBodies(ctx context.Context, metas []meta, header bool, fn func(Fetched) error) error {
	stop := c.closeOnCancel(ctx)
	defer stop()
	section := &imap.FetchItemBodySection{Peek: true}
	if header {
		section.Specifier = imap.PartSpecifierHeader
	}
	byUID := make(map[imap.UID]meta, len(metas))
	set := make([]imap.UID, len(metas))
	for i, m := range metas {
		byUID[m.uid], set[i] = m, m.uid
	}
	cmd := c.client.Fetch(imap.UIDSetNum(set...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()
	var last imap.UID
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		uid, raw, err := readMessage(msg)
		if err != nil {
			cmd.Close()
			return ctxErr(ctx, c.acct.connError("uid fetch body", err))
		}
		m, ok := byUID[uid]
		if !ok || raw == nil {
			continue // a flag update or a message we did not ask for
		}
		if uid <= last {
			return fmt.Errorf("mailin: account %q: server returned uid %d after %d", c.acct.Name, uid, last)
		}
		last = uid
		if err := fn(Fetched{UID: uint32(uid), InternalDate: m.date, Size: m.size, Raw: raw, Oversize: header}); err != nil {
			return err
		}
	}
	if err := cmd.Close(); err != nil {
		return ctxErr(ctx, c.acct.connError("uid fetch body", err))
	}
	return nil
}

// readMessage reads the UID and the body section of one FETCH response. The
// literal is read into a buffer of its exact size, once.
func readMessage(msg *imapclient.FetchMessageData) (imap.UID, []byte, error) {
	var (
		uid imap.UID
		raw []byte
	)
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = it.UID
		case imapclient.FetchItemDataBodySection:
			if it.Literal == nil {
				raw = []byte{}
				continue
			}
			buf := make([]byte, it.Literal.Size())
			if _, err := io.ReadFull(it.Literal, buf); err != nil {
				return 0, nil, fmt.Errorf("reading message body: %w", err)
			}
			raw = buf
		}
	}
	return uid, raw, nil
}
