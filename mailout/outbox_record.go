package mailout

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/basis-crm/basis/crm"
)

// recordBatch is how many outcomes one transaction records at most.
const recordBatch = 500

// record writes outcomes as they arrive, in batches: whatever has arrived
// is committed as soon as the previous commit is done.
func (m *Mailer) record(ctx context.Context, results <-chan result, counts *Counts) error {
	var errs []error
	for r := range results {
		batch := []result{r}
	more:
		for len(batch) < recordBatch {
			select {
			case r, ok := <-results:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		if err := m.recordBatch(ctx, batch, counts); err != nil {
			m.log.Error("record outcomes", "messages", len(batch), "error", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// outcome is what happens to one row.
type outcome struct {
	status string // sent, queued, failed
	retry  time.Time
	errMsg string
	undo   bool // not attempted: give the attempt back
}

func (m *Mailer) classify(r result) outcome {
	var se *SendError
	var re renderError
	switch {
	case r.err == nil:
		return outcome{status: "sent"}
	case errors.Is(r.err, errRequeue) || errors.Is(r.err, errNotSent):
		return outcome{status: "queued", retry: time.Now(), undo: true, errMsg: "not attempted: the sender stopped (SMTP settings, or shutdown)"}
	case r.job.Kind == "campaign" && (errors.Is(r.err, context.Canceled) || errors.Is(r.err, context.DeadlineExceeded)):
		return outcome{status: "unknown", errMsg: "the sender was stopped while sending; not sent again: " + r.err.Error()}
	case errors.As(r.err, &re):
		return outcome{status: "failed", errMsg: r.err.Error()}
	case errors.As(r.err, &se) && se.Config:
		return outcome{status: "queued", retry: time.Now().Add(m.cfg.BackoffBase), undo: true, errMsg: r.err.Error()}
	case errors.As(r.err, &se) && se.RecipientRejected:
		return outcome{status: "failed", errMsg: r.err.Error() + "; not sent again, and the address is suppressed like a hard bounce"}
	case errors.As(r.err, &se) && !se.Temporary:
		return outcome{status: "failed", errMsg: r.err.Error() + "; not sent again"}
	case r.job.Attempts >= m.cfg.MaxAttempts:
		return outcome{status: "failed", errMsg: fmt.Sprintf("gave up after %d attempts (mailout.max_attempts): %v", r.job.Attempts, r.err)}
	default: // temporary SMTP failure, connection refused, or the run was stopped
		wait := time.Duration(float64(m.cfg.BackoffBase) * math.Pow(2, float64(r.job.Attempts-1)))
		at := time.Now().Add(wait)
		return outcome{status: "queued", retry: at, errMsg: fmt.Sprintf("%v; sent again after %s (attempt %d of %d)",
			r.err, at.UTC().Format("2006-01-02 15:04:05 UTC"), r.job.Attempts, m.cfg.MaxAttempts)}
	}
}

// recordBatch stores the sent bytes as evidence, marks every row, and
// suppresses addresses the server said do not exist, in one transaction.
func (m *Mailer) recordBatch(ctx context.Context, batch []result, counts *Counts) error {
	var sent []crm.SentMessage
	var sentIdx []int
	n := len(batch)
	ids, statuses, errMsgs, mids, subjects := make([]int64, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	retries, undos, evidence := make([]string, n), make([]bool, n), make([]any, n)
	var bounced []result
	var c Counts
	for i, r := range batch {
		o := m.classify(r)
		ids[i], statuses[i], errMsgs[i], undos[i] = r.job.ID, o.status, o.errMsg, o.undo
		if !o.retry.IsZero() {
			retries[i] = o.retry.UTC().Format(time.RFC3339Nano)
		} else {
			retries[i] = time.Now().UTC().Format(time.RFC3339Nano)
		}
		switch o.status {
		case "sent":
			mids[i], subjects[i] = r.mid, r.subject
			sent = append(sent, crm.SentMessage{ContactID: r.job.ContactID, Raw: r.raw, SentAt: r.at, Metadata: map[string]any{
				"outbox_id": r.job.ID, "message_id": r.mid, "kind": r.job.Kind, "purpose": r.job.Purpose, "campaign_id": r.job.CampaignID}})
			sentIdx = append(sentIdx, i)
			c.Sent++
		case "failed":
			c.Failed++
			var se *SendError
			if errors.As(r.err, &se) && se.RecipientRejected {
				bounced = append(bounced, r)
			}
		case "unknown":
			c.Unknown++
		case "queued":
			if !o.undo {
				c.Retried++
			}
		}
	}
	err := m.store.InTx(ctx, func(tx *sqlx.Tx) error {
		evIDs, err := m.store.AddSentMessages(ctx, tx, system, sent)
		if err != nil {
			return err
		}
		for k, i := range sentIdx {
			evidence[i] = evIDs[k]
		}
		const q = `
			UPDATE outbox o SET status = u.status, message_id = u.mid, evidence_id = u.evidence_id,
				last_error = u.err, claimed_by = NULL,
				attempts = o.attempts - CASE WHEN u.undo THEN 1 ELSE 0 END,
				next_attempt_at = CASE WHEN u.status = 'queued' THEN u.retry ELSE o.next_attempt_at END,
				sent_at = CASE WHEN u.status = 'sent' THEN now() END,
				finished_at = CASE WHEN u.status IN ('sent', 'failed', 'unknown') THEN now() END,
				body_text = CASE WHEN u.status = 'sent' AND o.kind = 'consent_request' THEN '' ELSE o.body_text END,
				body_html = CASE WHEN u.status = 'sent' AND o.kind = 'consent_request' THEN '' ELSE o.body_html END,
				subject = CASE WHEN u.status = 'sent' THEN u.subject ELSE o.subject END
			FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[], $7::boolean[], $8::text[])
				AS u(id, status, mid, evidence_id, err, retry, undo, subject)
			WHERE o.id = u.id AND o.status = 'sending'`
		if _, err := tx.ExecContext(ctx, q, pq.Array(ids), pq.Array(statuses), pq.Array(mids), pq.Array(evidence),
			pq.Array(errMsgs), pq.Array(retries), pq.Array(undos), pq.Array(subjects)); err != nil {
			return fmt.Errorf("mailout: record %d outcomes: %w", n, err)
		}
		for _, r := range bounced {
			if err := m.store.Suppress(ctx, tx, r.job.Email, crm.AllPurposes, "hard_bounce", r.job.ContactID, system); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	counts.Sent += c.Sent
	counts.Failed += c.Failed
	counts.Retried += c.Retried
	counts.Unknown += c.Unknown
	return nil
}
