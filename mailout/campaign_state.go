package mailout

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// ScheduleCampaign sets when a draft or paused campaign starts; at zero
// means now. It refuses a campaign nobody may receive, saying why.
func (m *Mailer) ScheduleCampaign(ctx context.Context, id int64, at time.Time, actor crm.Actor) (Campaign, error) {
	c, err := m.Campaign(ctx, id)
	if err != nil {
		return c, err
	}
	p, err := m.PreviewCampaign(ctx, id)
	if err != nil {
		return c, err
	}
	if p.Eligible == 0 {
		return c, noAudience(c, p)
	}
	if at.IsZero() {
		at = time.Now()
	}
	return m.transition(ctx, id, []string{"draft", "paused"}, "scheduled", actor, "campaign.scheduled", at)
}

// PauseCampaign stops sending a scheduled or running campaign; what is
// queued stays queued.
func (m *Mailer) PauseCampaign(ctx context.Context, id int64, actor crm.Actor) (Campaign, error) {
	return m.transition(ctx, id, []string{"scheduled", "running"}, "paused", actor, "campaign.paused", time.Time{})
}

// ResumeCampaign continues a paused campaign: running again if it had
// started, else scheduled.
func (m *Mailer) ResumeCampaign(ctx context.Context, id int64, actor crm.Actor) (Campaign, error) {
	return m.transition(ctx, id, []string{"paused"}, "", actor, "campaign.resumed", time.Time{})
}

// CancelCampaign stops a campaign for good; its queued messages are
// cancelled.
func (m *Mailer) CancelCampaign(ctx context.Context, id int64, actor crm.Actor) (Campaign, error) {
	return m.transition(ctx, id, []string{"draft", "scheduled", "running", "paused"}, "cancelled", actor, "campaign.cancelled", time.Time{})
}

// transition moves a campaign from one of from to status ("" for resume).
func (m *Mailer) transition(ctx context.Context, id int64, from []string, status string, actor crm.Actor, action string, at time.Time) (Campaign, error) {
	var c Campaign
	err := m.store.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &c, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1 FOR UPDATE`, id); err != nil {
			return fmt.Errorf("mailout: campaign %d: %w", id, crm.ErrNotFound)
		}
		if !slices.Contains(from, c.Status) {
			return fmt.Errorf("mailout: campaign %d is %s; only a campaign that is %v can be %s: %w", id, c.Status, from, action[len("campaign."):], crm.ErrInvalidInput)
		}
		if status == "" {
			status = "scheduled"
			if c.StartedAt != nil {
				status = "running"
			}
		}
		var atArg any
		if !at.IsZero() {
			atArg = at
		}
		q := `UPDATE campaigns SET status = $2, scheduled_at = COALESCE($3, scheduled_at),
			finished_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE finished_at END
			WHERE id = $1 RETURNING ` + campaignColumns
		if err := tx.GetContext(ctx, &c, q, id, status, atArg); err != nil {
			return fmt.Errorf("mailout: campaign %d: %w", id, err)
		}
		if status == "cancelled" {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', finished_at = now()
				WHERE campaign_id = $1 AND status = 'queued'`, id); err != nil {
				return fmt.Errorf("mailout: cancel campaign %d: %w", id, err)
			}
		}
		return m.store.OutboxEvent(ctx, tx, actor, action, 0, map[string]any{"campaign_id": id, "status": status, "scheduled_at": c.ScheduledAt})
	})
	return c, err
}

// Tick starts campaigns whose time has come (materializing their
// recipients), closes running campaigns with nothing left to send, and
// queues the privacy notice for contacts who have none.
func (m *Mailer) Tick(ctx context.Context) error {
	var due []int64
	if err := m.db.SelectContext(ctx, &due, `SELECT id FROM campaigns WHERE status = 'scheduled' AND scheduled_at <= now() ORDER BY id`); err != nil {
		return fmt.Errorf("mailout: due campaigns: %w", err)
	}
	if len(due) > 0 {
		if err := m.freshStats(ctx, audienceTables...); err != nil {
			return err
		}
	}
	queued := 0
	for _, id := range due {
		n, err := m.startCampaign(ctx, id)
		if err != nil {
			return err
		}
		queued += n
	}
	if err := m.analyzeGrown(ctx, "outbox", queued); err != nil {
		return err
	}
	const done = `UPDATE campaigns k SET status = 'done', finished_at = now()
		WHERE k.status = 'running' AND NOT EXISTS (SELECT 1 FROM outbox o
			WHERE o.campaign_id = k.id AND o.finished_at IS NULL AND o.status IN ('queued', 'sending'))`
	if _, err := m.db.ExecContext(ctx, done); err != nil {
		return fmt.Errorf("mailout: close finished campaigns: %w", err)
	}
	_, err := m.queueNewNotices(ctx)
	return err
}

// startCampaign materializes the audience and sets the campaign running;
// it returns how many messages it queued.
func (m *Mailer) startCampaign(ctx context.Context, id int64) (int, error) {
	var n int
	err := m.store.InTx(ctx, func(tx *sqlx.Tx) error {
		var c Campaign
		err := tx.GetContext(ctx, &c, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1 AND status = 'scheduled' FOR UPDATE SKIP LOCKED`, id)
		if err != nil {
			return nil // started by another process, or paused meanwhile
		}
		n, err = m.materialize(ctx, tx, c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET status = 'running', started_at = now() WHERE id = $1`, id); err != nil {
			return fmt.Errorf("mailout: start campaign %d: %w", id, err)
		}
		if n == 0 {
			// Everyone it was scheduled for objected, was erased or lost
			// the basis meanwhile: nothing to send, which staff should know.
			m.log.Warn("campaign started with no recipient: nobody may receive it now (basis campaign preview says why)",
				"campaign_id", id, "purpose", c.Purpose)
		} else {
			m.log.Info("campaign started", "campaign_id", id, "recipients", n)
		}
		return m.store.OutboxEvent(ctx, tx, system, "campaign.started", 0, map[string]any{"campaign_id": id, "recipients": n})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
