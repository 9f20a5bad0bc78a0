package mailout

import (
	"context"
)

// A Stream is one connection of a Sender, held by one goroutine for a run
// of messages. Where the connection pipelines (smtp_pipeline.go) it sends
// each message's body in the same write as the next message's envelope:
// RFC 2920 lets message content open a group of commands. That is one
// write and one wait for replies per message instead of two, for the
// sender and for the server. The reply to a message's final dot then
// arrives with the next message's envelope replies, so a message's outcome
// is reported by the next Send, or by Flush, which a caller with no
// message ready calls at once: a body never waits for a message that is
// not there yet.
type Stream struct {
	s       *Sender
	sl      *slot
	pending *pendingMessage // its body is in the pipe's buffer, its final reply unread
}

// pendingMessage is a message whose final reply is still to be read.
type pendingMessage struct {
	to  string
	tag any
}

// Outcome is what became of one message given to Stream.Send.
type Outcome struct {
	Tag any   // as given to Send
	Err error // nil when the server accepted it; else as Sender.Send's
}

// Stream takes a connection of s for the caller alone, until Close. It
// waits for one while all are in use.
func (s *Sender) Stream(ctx context.Context) (*Stream, error) {
	select {
	case sl := <-s.slots:
		return &Stream{s: s, sl: sl}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Send sends raw, exactly as given, from envelopeFrom to one recipient,
// and returns the outcomes known now, each with its tag: the previous
// message's, whose final reply came back with this one's envelope, and
// this one's unless its body is left pending (on a connection that does
// not pipeline, it always comes back at once). A message stopped before
// any of it was sent (ctx ended first, or during the rate limit's wait)
// fails with an error that is errNotSent.
func (st *Stream) Send(ctx context.Context, envelopeFrom, to string, raw []byte, tag any) []Outcome {
	var out []Outcome
	if err := ctx.Err(); err != nil {
		return append(st.Flush(), Outcome{tag, notSent(err)})
	}
	if st.s.isClosed() {
		out = st.Flush()
		st.sl.close()
		return append(out, Outcome{tag, ErrSenderClosed})
	}
	if wait := st.s.limit.delay(); wait > 0 {
		out = st.Flush() // a body does not wait for the rate limit
		if err := sleep(ctx, wait); err != nil {
			return append(out, Outcome{tag, notSent(err)})
		}
	}
	prev := st.pending
	st.pending = nil
	for attempt := 0; ; attempt++ {
		reused := st.sl.client != nil // nothing is pending on a connection not yet open
		if !reused {
			if err := st.s.connect(ctx, st.sl); err != nil {
				if ctx.Err() != nil {
					err = notSent(err)
				}
				return append(out, Outcome{tag, err})
			}
		}
		if st.sl.pipe == nil { // STARTTLS, or a server without PIPELINING: one message at a time
			return append(out, Outcome{tag, st.s.sendReusing(ctx, st.sl, reused && attempt == 0, envelopeFrom, to, raw)})
		}
		// While the previous message's reply is awaited, the end of ctx
		// does not cut the connection: that message is on its way, and
		// the connection's deadlines bound the wait, as in Flush.
		stop := func() bool { return false }
		if prev == nil {
			stop = context.AfterFunc(ctx, func() { st.sl.client.Close() })
		}
		prevErr, stg, err := st.sl.pipe.send(envelopeFrom, to, raw, prev != nil)
		stop()
		if prev != nil {
			// Only classified: a refusal of the previous message needs no
			// RSET (its transaction ended with the reply), and an I/O error
			// fails this message too, which closes the connection below.
			out = append(out, Outcome{prev.tag, errOrNil(st.s.failure(ctx, stageData, prev.to, prevErr))})
			prev = nil
		}
		if err == nil {
			st.pending = &pendingMessage{to: to, tag: tag}
			return out
		}
		se := st.s.failure(ctx, stg, to, err)
		st.s.afterFailure(st.sl, se)
		if attempt > 0 || !reused || !staleConnection(se) || ctx.Err() != nil {
			return append(out, Outcome{tag, se})
		}
		// The server closed a connection it had idle, or dropped it with
		// the previous message: this one never reached DATA, so it is sent
		// again, once, on a fresh connection (which may not pipeline).
		st.s.log.Debug("smtp connection went stale, reconnecting", "server", st.s.addr, "error", se)
	}
}

// Flush sends the pending message's body, if any, and returns its outcome.
// It does not stop when a context ends: the message is on its way, and the
// connection's deadlines bound the wait for its reply, so a sender that is
// told to stop still learns whether its last messages were accepted.
func (st *Stream) Flush() []Outcome {
	if st.pending == nil {
		return nil
	}
	p := st.pending
	st.pending = nil
	err := st.sl.pipe.finish()
	if err == nil {
		return []Outcome{{p.tag, nil}}
	}
	se := st.s.failure(context.Background(), stageData, p.to, err)
	st.s.afterFailure(st.sl, se)
	return []Outcome{{p.tag, se}}
}

// Close flushes the pending message, returns its outcome and gives the
// connection back to the Sender.
func (st *Stream) Close() []Outcome {
	out := st.Flush()
	st.s.slots <- st.sl
	return out
}

// errOrNil keeps a nil *SendError from becoming a non-nil error.
func errOrNil(se *SendError) error {
	if se == nil {
		return nil
	}
	return se
}
