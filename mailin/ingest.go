package mailin

import (
	"context"
	"fmt"
	"log/slog"
	"time"

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

	oneByOne   bool          // store every message with storeOne (tests compare the batched path with it)
	vectorWait time.Duration // how long a transaction waits for a full-text vector (0: defaultVectorWait)
	vectorHold chan struct{} // tests: the vectorizer starts only once it is closed (nil: at once)
}

// IngestOnce fetches and processes everything new in the account's mailbox
// on an open connection. The checkpoint advances in the same transaction
// that stores each batch, and the after-action (flag or move) is applied
// only once that transaction committed. Messages are parsed on every CPU
// while they arrive, and a batch is stored while the next one is fetched.
func (in *Ingester) IngestOnce(ctx context.Context, conn *Conn) (Summary, error) {
	acct := conn.Account()
	state, err := conn.Select(ctx)
	if err != nil {
		return Summary{Account: acct.Name}, err
	}
	mb := mailbox{Account: acct.Name, Mailbox: mailboxName(acct), UIDValidity: state.UIDValidity}
	last, err := checkpoint(ctx, in.Store.DB(), mb)
	if err != nil {
		return Summary{Account: acct.Name}, err
	}
	batch := in.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	st := in.newStorer(ctx, mb)
	vec := in.newVectorizer(ctx)
	defer vec.close()
	workers := newWorkers()
	var pending []*parsed
	var pendingBytes, seen int
	submit := func() error {
		if len(pending) == 0 {
			return nil
		}
		vec.send()
		err := st.submit(pending)
		pending, pendingBytes = nil, 0
		return err
	}
	// Stored messages get their after-action between FETCH commands: the
	// connection cannot run another command while a FETCH is still
	// streaming bodies.
	after := func() {
		if uids := st.takeStored(); len(uids) > 0 {
			if err := conn.After(ctx, uids, acct.After); err != nil {
				in.Log.Warn("after-action failed; messages are stored and will not be fetched again", "account", acct.Name, "err", err)
			}
		}
	}
	err = conn.Fetch(ctx, last, batch, in.maxBytes(), func(f Fetched) error {
		p := in.parseAsync(f, workers)
		vec.add(p)
		pending = append(pending, p)
		pendingBytes += len(f.Raw)
		seen++
		switch {
		case seen%batch == 0: // the last message of one FETCH of batch UIDs
			if err := submit(); err != nil {
				return err
			}
			after()
		case pendingBytes >= batchBytes:
			// Large messages: store them before reading more, so that
			// memory holds one batch of them, not several.
			if err := submit(); err != nil {
				return err
			}
			return st.wait()
		}
		return nil
	})
	if err == nil {
		err = submit()
	}
	sum, serr := st.close()
	if err == nil {
		err = serr
	}
	if ctx.Err() == nil {
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
