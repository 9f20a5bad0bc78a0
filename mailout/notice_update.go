package mailout

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// NoticeUpdate says what QueueUpdatedNotices did, or would do.
type NoticeUpdate struct {
	Version string `json:"version"`
	// Queued counts contacts who were sent an earlier version only, and
	// now have the current one queued.
	Queued int `json:"queued"`
	// Moved counts notices still waiting in the queue with an earlier
	// text: they will be sent with the current one.
	Moved  int  `json:"moved"`
	DryRun bool `json:"dry_run"`
}

// QueueUpdatedNotices tells the people already informed that the privacy
// notice changed: for every contact (not erased) who was sent an earlier
// version and was never queued the current one (whatever became of it: a
// run does not retry a notice that failed or was skipped), it queues the
// current version, and notices still waiting in the queue with an earlier
// text are switched to the current one, in the contact's language. The
// transparency duty of Art. 13 and 14 goes on while the data is processed:
// a new recipient, transfer or DPO is news to everyone informed before.
// Each span of contacts is one transaction with an outbox.notices_updated
// audit event. With dryRun nothing is written and the counts say what
// would be done.
func (m *Mailer) QueueUpdatedNotices(ctx context.Context, actor crm.Actor, dryRun bool) (NoticeUpdate, error) {
	u := NoticeUpdate{Version: NoticeVersion, DryRun: dryRun}
	last, err := m.lastContactID(ctx)
	if err != nil {
		return u, fmt.Errorf("mailout: update privacy notices: %w", err)
	}
	_, err = forContactSpans(0, last, func(lo, hi int64) (int, error) {
		queued, moved, err := m.updateNoticesIn(ctx, actor, lo, hi, dryRun)
		u.Queued += queued
		u.Moved += moved
		return queued, err
	})
	return u, err
}

// updateNoticesIn does QueueUpdatedNotices for the contacts with
// lo < id <= hi, in one transaction (rolled back on a dry run).
func (m *Mailer) updateNoticesIn(ctx context.Context, actor crm.Actor, lo, hi int64, dryRun bool) (queued, moved int, err error) {
	err = m.store.InTx(ctx, func(tx *sqlx.Tx) error {
		it, en, err := storeNoticeTexts(ctx, tx)
		if err != nil {
			return err
		}
		// One run at a time: two would both find a contact without the
		// current version and both queue it.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('basis:notices-update'))`); err != nil {
			return fmt.Errorf("mailout: update privacy notices: lock: %w", err)
		}
		move := `
			UPDATE outbox o SET notice_text_id = ` + noticeTextOfContactSQL + `
			FROM notice_texts t, contacts c
			WHERE t.id = o.notice_text_id AND t.version <> $4 AND c.id = o.contact_id
				AND o.kind = 'notice' AND o.status = 'queued' AND o.contact_id > $5 AND o.contact_id <= $6`
		res, err := tx.ExecContext(ctx, move, it.ID, en.ID, m.cfg.Organization.DefaultLanguage, NoticeVersion, lo, hi)
		if err != nil {
			return fmt.Errorf("mailout: move queued privacy notices to %s (contacts %d-%d): %w", NoticeVersion, lo+1, hi, err)
		}
		n, _ := res.RowsAffected()
		moved = int(n)
		q := `
			INSERT INTO outbox (contact_id, kind, purpose, notice_text_id, next_attempt_at, created_by)
			SELECT c.id, 'notice', '` + noticeUpdatePurpose + `', ` + noticeTextOfContactSQL + `, now(), $4
			FROM contacts c
			WHERE c.id > $5 AND c.id <= $6 AND c.erased_at IS NULL
				AND EXISTS (SELECT 1 FROM outbox o WHERE o.contact_id = c.id AND o.kind = 'notice' AND o.status = 'sent')
				AND NOT EXISTS (SELECT 1 FROM outbox o JOIN notice_texts t ON t.id = o.notice_text_id
					WHERE o.contact_id = c.id AND o.kind = 'notice' AND t.version = $7)`
		if res, err = tx.ExecContext(ctx, q, it.ID, en.ID, m.cfg.Organization.DefaultLanguage, string(actor), lo, hi, NoticeVersion); err != nil {
			return fmt.Errorf("mailout: queue privacy notice %s for contacts informed before (contacts %d-%d): %w", NoticeVersion, lo+1, hi, err)
		}
		n, _ = res.RowsAffected()
		queued = int(n)
		if dryRun {
			return errDryRun
		}
		if queued+moved == 0 {
			return nil
		}
		return m.store.OutboxEvent(ctx, tx, actor, "outbox.notices_updated", 0, map[string]any{
			"notice_version": NoticeVersion, "queued": queued, "moved": moved, "contacts_from": lo + 1, "contacts_to": hi})
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return queued, moved, err
}

// noticeUpdatePurpose is the purpose of the notices QueueUpdatedNotices
// queues: they go to people told an earlier version, so they are never
// overdue, and the index of unsent notices that the overdue count reads
// (outbox_notice_unsent, migration 00130) leaves them out.
const noticeUpdatePurpose = "privacy_notice_update"

// errDryRun rolls back the transaction of a dry run.
var errDryRun = errors.New("mailout: dry run, rolled back")
