package mailin

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// storeEach stores a batch that failed as a whole one message per
// transaction, each with its checkpoint. A message that cannot be stored
// normally is stored raw and flagged for review (storeFlagged), with a
// log line that says why: it is never skipped, and never stops the ones
// after it. It returns how many messages it stored.
func (in *Ingester) storeEach(ctx context.Context, mb mailbox, batch []*parsed, total *Summary) (int, error) {
	for i, p := range batch {
		var sum Summary
		err := in.Store.InTx(ctx, func(tx *sqlx.Tx) error {
			sum = Summary{Fetched: 1}
			stored, err := storedAmong(ctx, tx, mb, []*parsed{p})
			if err != nil {
				return err
			}
			if stored[p.m.SHA256] {
				sum.Duplicates++
			} else if err := in.storeOne(ctx, tx, mb, p, &sum); err != nil {
				return err
			}
			return advance(ctx, tx, mb, p.f.UID)
		})
		if err != nil && ctx.Err() == nil && !errors.Is(err, crm.ErrInvalidInput) {
			in.Log.Error("message could not be stored normally; storing it raw, flagged for review", "account", mb.Account,
				"uid", p.f.UID, "err", err)
			sum = Summary{Fetched: 1, Review: 1, Errors: 1}
			err = in.Store.InTx(ctx, func(tx *sqlx.Tx) error { return in.storeFlagged(ctx, tx, mb, p, err) })
		}
		if err != nil {
			return i, err
		}
		total.add(sum)
	}
	return len(batch), nil
}

// storeFlagged keeps a message that could not be stored normally as raw
// evidence, tied to no contact, flagged for review with the reason, and
// advances the checkpoint past it.
func (in *Ingester) storeFlagged(ctx context.Context, tx *sqlx.Tx, mb mailbox, p *parsed, cause error) error {
	f, m := p.f, p.m
	meta := evidenceMeta(mb, f, m, Result{Class: ClassReview})
	meta["store_error"] = clean(cause.Error(), 500)
	ev, err := in.Store.AddEvidence(ctx, tx, crm.EvidenceInput{Kind: "inbound_email", ContentType: contentType(f), Content: f.Raw,
		ReceivedAt: f.InternalDate, Actor: actor, Metadata: meta})
	if err != nil {
		return err
	}
	row := newInboundRow(f, m)
	row.EvidenceID, row.Class, row.Review = ev.ID, ClassReview, "unparseable"
	row.Reason = fmt.Sprintf("could not be stored normally (%v): kept raw for review", cause)
	if err := insertInbound(ctx, tx, mb, row); err != nil {
		return err
	}
	return advance(ctx, tx, mb, f.UID)
}
