package mailout

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// The missing-notice sweep is the safety net behind the capture hooks: it
// queues the privacy notice for contacts that have none (added by a command
// with no outbox running, or by an older version). Checking every contact on
// every tick cost seconds per tick with a million contacts, so a tick looks
// only at contacts added since the previous one and the whole table is swept
// once per noticeFullSweepEvery. A contact whose adding transaction commits
// after a tick has passed its id (a long import) is found by the next whole
// sweep: at most an hour late, against the month of Art. 14(3).
const (
	noticeFullSweepEvery = time.Hour
	noticeSweepSpan      = 50_000 // contact ids per transaction
)

// noticeSweep remembers how far the missing-notice sweep has looked.
type noticeSweep struct {
	mu      sync.Mutex
	through int64     // contacts with id <= through have been checked
	fullAt  time.Time // when the last whole-table sweep started
}

// QueueMissingNotices queues the notice for every contact that has none yet,
// sweeping the whole contacts table in id ranges of one transaction each. It
// returns how many were queued.
func (m *Mailer) QueueMissingNotices(ctx context.Context) (int, error) {
	m.sweep.mu.Lock()
	defer m.sweep.mu.Unlock()
	return m.sweepNotices(ctx, 0)
}

// queueNewNotices is the tick's sweep: the contacts added since the previous
// sweep, or all of them when the last whole sweep is an hour old.
func (m *Mailer) queueNewNotices(ctx context.Context) (int, error) {
	m.sweep.mu.Lock()
	defer m.sweep.mu.Unlock()
	from := m.sweep.through
	if time.Since(m.sweep.fullAt) >= noticeFullSweepEvery {
		from = 0
	}
	return m.sweepNotices(ctx, from)
}

// sweepNotices queues the missing notices of contacts with an id above from,
// up to the highest id at the start, and records how far it got. The caller
// holds m.sweep.mu.
func (m *Mailer) sweepNotices(ctx context.Context, from int64) (int, error) {
	started := time.Now()
	last, err := m.lastContactID(ctx)
	if err != nil {
		return 0, fmt.Errorf("mailout: queue missing privacy notices: %w", err)
	}
	total, err := forContactSpans(from, last, func(lo, hi int64) (int, error) {
		n, err := m.queueMissingNoticesIn(ctx, lo, hi)
		if err == nil {
			m.sweep.through = hi
		}
		return n, err
	})
	if err != nil {
		return total, err
	}
	if from == 0 {
		m.sweep.fullAt = started
	}
	return total, nil
}

// queueMissingNoticesIn queues, in one transaction, the notice for the
// contacts with lo < id <= hi that have none, and records how many.
func (m *Mailer) queueMissingNoticesIn(ctx context.Context, lo, hi int64) (int, error) {
	var n int
	err := m.store.InTx(ctx, func(tx *sqlx.Tx) error {
		it, en, err := storeNoticeTexts(ctx, tx)
		if err != nil {
			return err
		}
		q := `
			INSERT INTO outbox (contact_id, kind, purpose, notice_text_id, next_attempt_at, created_by)
			SELECT c.id, 'notice', 'privacy_notice', ` + noticeTextOfContactSQL + `,
				c.created_at + $4 * interval '1 microsecond', $5
			FROM contacts c
			WHERE c.id > $6 AND c.id <= $7 AND c.erased_at IS NULL
				AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.contact_id = c.id AND o.kind = 'notice')`
		res, err := tx.ExecContext(ctx, q, it.ID, en.ID, m.cfg.Organization.DefaultLanguage, m.cfg.NoticeDelay.Microseconds(), system, lo, hi)
		if err != nil {
			return fmt.Errorf("mailout: queue missing privacy notices (contacts %d-%d): %w", lo+1, hi, err)
		}
		affected, _ := res.RowsAffected()
		n = int(affected)
		if n == 0 {
			return nil
		}
		return m.store.OutboxEvent(ctx, tx, system, "outbox.notices_queued", 0, map[string]any{"count": n, "notice_version": NoticeVersion})
	})
	return n, err
}
