package crm

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// appendEvents appends the batch's audit events, in the order they were
// recorded, with their ids known now.
func (b *InboundBatch) appendEvents(ctx context.Context, tx *sqlx.Tx) error {
	entries := make([]auditEntry, len(b.events))
	for i, e := range b.events {
		entries[i] = auditEntry{action: e.action, payload: e.payload(b)}
		if e.contact != 0 {
			entries[i].contactID = b.ContactID(e.contact)
		}
	}
	if err := b.s.auditBatch(ctx, tx, b.actor, entries); err != nil {
		return fmt.Errorf("crm: inbound batch: %w", err)
	}
	return nil
}
