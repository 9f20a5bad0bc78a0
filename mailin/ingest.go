package mailin

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// actor is who mailin's writes are recorded as in the audit chain.
const actor crm.Actor = "system:mailin"

// Summary counts what one ingest run did for one account.
type Summary struct {
	Account     string `json:"account"`
	Fetched     int    `json:"fetched"`
	Prospects   int    `json:"prospects"`
	Forwarded   int    `json:"forwarded"`
	Replies     int    `json:"replies"`
	Bounces     int    `json:"bounces"`
	AutoReplies int    `json:"autoreplies"`
	Lists       int    `json:"lists"`
	Review      int    `json:"review"`
	Duplicates  int    `json:"duplicates"`
	Errors      int    `json:"errors"`
}

func (s Summary) String() string {
	return fmt.Sprintf("%s: fetched %d, prospects %d, forwarded %d, replies %d, bounces %d, autoreplies %d, lists %d, review %d, errors %d",
		s.Account, s.Fetched, s.Prospects, s.Forwarded, s.Replies, s.Bounces, s.AutoReplies, s.Lists, s.Review, s.Errors)
}

// Ingester stores fetched messages and their effects through crm.
type Ingester struct {
	Store      *crm.Store
	Classifier Classifier
	// MaxMessageBytes: larger messages stay on the server; only their header is stored.
	MaxMessageBytes int64
	// Batch is how many messages one transaction stores (and one checkpoint covers).
	Batch int
	Log   *slog.Logger
	// Progress, when set, is called after each batch with the running count.
	Progress func(account string, done int)
}

// IngestOnce fetches and processes everything new in the account's mailbox
// on an open connection. The checkpoint advances in the same transaction
// that stores each batch, and the after-action (flag or move) is applied
// only once that transaction committed.
func (in *Ingester) IngestOnce(ctx context.Context, conn *Conn) (Summary, error) {
	acct := conn.Account()
	sum := Summary{Account: acct.Name}
	state, err := conn.Select(ctx)
	if err != nil {
		return sum, err
	}
	mb := mailbox{Account: acct.Name, Mailbox: mailboxName(acct), UIDValidity: state.UIDValidity}
	last, err := checkpoint(ctx, in.Store.DB(), mb)
	if err != nil {
		return sum, err
	}
	batch := in.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	// Stored messages get their after-action once a FETCH has been read to
	// its end: the connection cannot run another command while a FETCH
	// is still streaming bodies.
	var pending []Fetched
	var pendingBytes, seen int
	var stored []uint32
	store := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := in.storeBatch(ctx, mb, pending, &sum); err != nil {
			return err
		}
		for _, f := range pending {
			stored = append(stored, f.UID)
		}
		clear(pending) // drop the raw bytes now, not when the slots are reused
		pending, pendingBytes = pending[:0], 0
		if in.Progress != nil {
			in.Progress(acct.Name, sum.Fetched)
		}
		return nil
	}
	after := func() {
		if len(stored) == 0 {
			return
		}
		if err := conn.After(ctx, stored, acct.After); err != nil {
			in.Log.Warn("after-action failed; messages are stored and will not be fetched again", "account", acct.Name, "err", err)
		}
		stored = stored[:0]
	}
	err = conn.Fetch(ctx, last, batch, in.maxBytes(), func(f Fetched) error {
		pending = append(pending, f)
		pendingBytes += len(f.Raw)
		seen++
		switch {
		case seen%batch == 0: // the last message of one FETCH of batch UIDs
			if err := store(); err != nil {
				return err
			}
			after()
		case pendingBytes >= batchBytes:
			return store()
		}
		return nil
	})
	if err == nil {
		err = store()
	}
	if err == nil {
		after()
	}
	return sum, err
}

// batchBytes bounds the raw bytes one batch holds in memory: a batch of
// large messages is stored early rather than holding Batch of them at once.
const batchBytes = 16 << 20

func (in *Ingester) maxBytes() int64 {
	if in.MaxMessageBytes <= 0 {
		return 50 << 20
	}
	return in.MaxMessageBytes
}

func mailboxName(a Account) string {
	if a.Mailbox == "" {
		return "INBOX"
	}
	return a.Mailbox
}

// storeBatch stores a batch of messages and advances the checkpoint in one
// transaction: a crash either keeps all of them with the checkpoint or none.
func (in *Ingester) storeBatch(ctx context.Context, mb mailbox, batch []Fetched, total *Summary) error {
	var sum Summary
	err := in.Store.InTx(ctx, func(tx *sqlx.Tx) error {
		sum = Summary{}
		stored, err := storedAmong(ctx, tx, mb, batch)
		if err != nil {
			return err
		}
		for _, f := range batch {
			if err := in.storeOne(ctx, tx, mb, f, stored, &sum); err != nil {
				return err
			}
		}
		return advance(ctx, tx, mb, batch[len(batch)-1].UID)
	})
	if err != nil {
		return err
	}
	total.add(sum)
	return nil
}

func (s *Summary) add(o Summary) {
	s.Fetched += o.Fetched
	s.Prospects += o.Prospects
	s.Forwarded += o.Forwarded
	s.Replies += o.Replies
	s.Bounces += o.Bounces
	s.AutoReplies += o.AutoReplies
	s.Lists += o.Lists
	s.Review += o.Review
	s.Duplicates += o.Duplicates
	s.Errors += o.Errors
}

// messageTime is when the message was sent, as far as we can tell.
func messageTime(m *Message, f Fetched) time.Time {
	if !m.Date.IsZero() && m.Date.Before(f.InternalDate.Add(24*time.Hour)) {
		return m.Date
	}
	return f.InternalDate
}
