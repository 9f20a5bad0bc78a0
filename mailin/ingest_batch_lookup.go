package mailin

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// look reads what the planning of msgs depends on, a query each for the
// whole batch: the contacts of stored or sent mail they refer to, the
// contacts of their senders, and which senders were erased.
func (w *batchWriter) look(ctx context.Context, tx *sqlx.Tx, msgs []*parsed) error {
	var ids, addrs []string
	for _, p := range msgs {
		ids = append(ids, threadIDs(p.m)...)
		if p.m.From != nil {
			addrs = append(addrs, p.m.From.Address)
		}
		if p.res.Sender.Address != "" {
			addrs = append(addrs, p.res.Sender.Address)
		}
	}
	var err error
	if w.inbound, w.outbox, err = knownMessageIDs(ctx, tx, ids); err != nil {
		return err
	}
	if w.contacts, err = w.in.Store.ContactsByAddress(ctx, tx, addrs); err != nil {
		return err
	}
	w.erased, err = w.in.Store.ErasedAddresses(ctx, tx, addrs)
	return err
}

// threadIDs are the Message-IDs a message refers to, as knownMessageID
// and knownMessageIDs take them.
func threadIDs(m *Message) []string {
	ids := append([]string{}, m.References...)
	if m.InReplyTo != "" {
		ids = append(ids, m.InReplyTo)
	}
	return ids
}

// knownMessageIDs looks up the ids of a whole batch (or of one message, for
// knownMessageID) in one query: which of them are stored inbound mail (with
// its contact, 0 for none) or mail we sent (with its contact). Sent
// Message-IDs are stored with their angle brackets.
func knownMessageIDs(ctx context.Context, q sqlx.QueryerContext, ids []string) (inbound, outbox map[string]int64, err error) {
	inbound, outbox = map[string]int64{}, map[string]int64{}
	if len(ids) == 0 {
		return inbound, outbox, nil
	}
	bracketed := make([]string, len(ids))
	for i, id := range ids {
		bracketed[i] = "<" + id + ">"
	}
	var rows []struct {
		ID      string `db:"message_id"`
		Contact int64  `db:"contact_id"`
		Inbound bool   `db:"inbound"`
	}
	err = sqlx.SelectContext(ctx, q, &rows, `
		SELECT message_id, COALESCE(contact_id, 0) AS contact_id, true AS inbound FROM inbound_messages WHERE message_id = ANY($1)
		UNION ALL
		SELECT message_id, contact_id, false FROM outbox WHERE message_id <> '' AND (message_id = ANY($2) OR message_id = ANY($1))`,
		pqStrings(ids), pqStrings(bracketed))
	if err != nil {
		return nil, nil, fmt.Errorf("mailin: thread lookup of %d Message-IDs: %w", len(ids), err)
	}
	for _, r := range rows {
		m := outbox
		if r.Inbound {
			m = inbound
		} else if strings.HasPrefix(r.ID, "<") && strings.HasSuffix(r.ID, ">") {
			r.ID = r.ID[1 : len(r.ID)-1]
		}
		if _, seen := m[r.ID]; !seen {
			m[r.ID] = r.Contact
		}
	}
	return inbound, outbox, nil
}
