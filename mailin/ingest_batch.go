package mailin

import (
	"context"
	"errors"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// storeBatch stores a batch of messages and advances the checkpoint in one
// transaction: a crash either keeps all of them with the checkpoint or none.
// The common messages (inquiries, forwards, replies, staff mail) are written
// together with a few multi-row statements; the others one at a time, in
// order, as they come. When the batch fails as a whole, it is stored again
// one message per transaction (storeEach), so that one bad message costs
// only itself. It returns how many of the batch's messages are stored (all,
// or, when storeEach stopped, those before the one it stopped at).
func (in *Ingester) storeBatch(ctx context.Context, mb mailbox, batch []*parsed, total *Summary) (int, error) {
	var sum Summary
	err := in.Store.InTx(ctx, func(tx *sqlx.Tx) error {
		sum = Summary{}
		return in.writeBatch(ctx, tx, mb, batch, &sum)
	})
	if err == nil {
		total.add(sum)
		return len(batch), nil
	}
	if ctx.Err() != nil || errors.Is(err, crm.ErrInvalidInput) {
		return 0, err // stopping, or a configuration the operator must fix
	}
	in.Log.Warn("batch could not be stored; storing its messages one at a time", "account", mb.Account,
		"first_uid", batch[0].f.UID, "last_uid", batch[len(batch)-1].f.UID, "err", err)
	return in.storeEach(ctx, mb, batch, total)
}

// writeBatch is storeBatch's transaction.
func (in *Ingester) writeBatch(ctx context.Context, tx *sqlx.Tx, mb mailbox, batch []*parsed, sum *Summary) error {
	stored, err := storedAmong(ctx, tx, mb, batch)
	if err != nil {
		return err
	}
	w := in.newBatchWriter(mb)
	if err := w.look(ctx, tx, batch); err != nil {
		return err
	}
	for i, p := range batch {
		sum.Fetched++
		if stored[p.m.SHA256] {
			sum.Duplicates++
			continue
		}
		stored[p.m.SHA256] = true
		ok, err := w.plan(p, sum)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		// One at a time, after everything before it: it may read what
		// they wrote, and what it writes changes what follows it.
		if err := w.flush(ctx, tx); err != nil {
			return err
		}
		if err := in.storeOne(ctx, tx, mb, p, sum); err != nil {
			return err
		}
		if err := w.look(ctx, tx, batch[i+1:]); err != nil {
			return err
		}
	}
	if err := w.flush(ctx, tx); err != nil {
		return err
	}
	return advance(ctx, tx, mb, batch[len(batch)-1].f.UID)
}
