package mailout

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// job is one claimed outbox row with what sending it needs.
type job struct {
	ID                int64     `db:"id"`
	ContactID         int64     `db:"contact_id"`
	Kind              string    `db:"kind"`
	Purpose           string    `db:"purpose"`
	CampaignID        *int64    `db:"campaign_id"`
	NoticeTextID      int64     `db:"notice_text_id"`
	Subject           string    `db:"subject"`
	BodyText          string    `db:"body_text"`
	BodyHTML          string    `db:"body_html"`
	Attempts          int       `db:"attempts"`
	Email             string    `db:"email"`
	Name              string    `db:"name"`
	Company           string    `db:"company"`
	Language          string    `db:"language"`
	Source            string    `db:"source"`
	ContactCreatedAt  time.Time `db:"contact_created_at"`
	ContactActivityAt time.Time `db:"contact_activity_at"`
}

// mayReceiveSQL is the predicate, over outbox row o and contact row c, that
// a message may be sent now: campaign and manual messages need an active
// basis for their purpose and no suppression (crm's predicate); a consent
// request needs the address not erased nor suppressed for its purpose; a
// privacy notice goes to everyone not erased and not bounced. Its
// placeholders start at $first.
func (m *Mailer) mayReceiveSQL(first int) (string, []any) {
	var alts []string
	var args []any
	n := first
	for _, p := range m.store.PurposeNames() {
		pred, a := m.store.EligibleSQL("c", n+1, p)
		alts = append(alts, `(o.purpose = $`+strconv.Itoa(n)+` AND `+pred+`)`)
		args = append(append(args, p), a...)
		n += 1 + len(a)
	}
	eligible := "false"
	if len(alts) > 0 {
		eligible = strings.Join(alts, "\n\t\t\tOR ")
	}
	pred := `CASE o.kind
		WHEN 'notice' THEN c.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM suppressions s
			WHERE s.address_hash = c.address_hash AND s.purpose = '*' AND s.reason IN ('hard_bounce', 'complaint', 'erasure')
			AND (s.reason <> 'erasure' OR s.created_at >= c.created_at))
		WHEN 'consent_request' THEN c.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM suppressions s
			WHERE s.address_hash = c.address_hash AND s.purpose IN (o.purpose, '*')
			AND (s.reason <> 'erasure' OR s.created_at >= c.created_at))
		ELSE ` + eligible + ` END`
	return pred, args
}

// exclusionSQL gives why a row o fails mayReceiveSQL, as crm's reason codes.
func (m *Mailer) exclusionSQL(first int) (string, []any) {
	var whens []string
	var args []any
	n := first
	for _, p := range m.store.PurposeNames() {
		expr, a := m.store.ExclusionSQL("c", n+1, p)
		whens = append(whens, `WHEN o.purpose = $`+strconv.Itoa(n)+` THEN `+expr)
		args = append(append(args, p), a...)
		n += 1 + len(a)
	}
	return `CASE WHEN c.erased_at IS NOT NULL THEN 'erased' WHEN o.kind IN ('notice', 'consent_request') THEN 'suppressed' ` +
		strings.Join(whens, " ") + ` ELSE 'purpose not configured' END`, args
}

// dueSQL selects queued rows due at the time in placeholder $n (the start
// of the pass, so that a message retried in a pass waits for the next one)
// whose campaign, if any, is running. finished_at IS NULL lets the planner
// use outbox_queue (migration 00110), whose predicate leaves status out so
// that the claim is a HOT update; the scan walks past the rows in flight.
func dueSQL(n int) string {
	return `o.finished_at IS NULL AND o.status = 'queued' AND o.next_attempt_at <= $` + strconv.Itoa(n) + `
	AND (o.campaign_id IS NULL OR EXISTS (SELECT 1 FROM campaigns k WHERE k.id = o.campaign_id AND k.status = 'running'))`
}

// claimer claims batches of due messages for one pass of the sender, on a
// connection of its own where the claiming statement is prepared once.
// Every value the statement needs (the owner, the batch size, the pass's
// cutoff, the purposes and their basis kinds) is written into it as a
// literal: a statement without parameters is planned once, at its first
// execution, and the plan is kept for the pass. With parameters
// PostgreSQL planned each claim again, about 3 ms of parsing and planning
// the eligibility predicate for every batch of 200 (and a forced generic
// plan over parameterized purposes was far slower to run).
type claimer struct {
	conn *sqlx.Conn
	stmt *sqlx.Stmt
}

// newClaimer opens the claimer of a pass: up to limit messages per claim,
// due at cutoff, claimed for owner. Close releases its connection.
func (m *Mailer) newClaimer(ctx context.Context, owner int64, limit int, cutoff time.Time) (*claimer, error) {
	q, args := m.claimSQL()
	q, err := inlineParams(q, append([]any{limit, owner, cutoff}, args...))
	if err != nil {
		return nil, fmt.Errorf("mailout: claim statement: %w", err)
	}
	conn, err := m.db.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("mailout: claim connection: %w", err)
	}
	// The predicate's estimated cost passes jit_above_cost, though a claim
	// runs in milliseconds: compiling it took over a second per claim.
	if _, err := conn.ExecContext(ctx, `SET jit = off`); err != nil {
		conn.Close()
		return nil, fmt.Errorf("mailout: claim connection: %w", err)
	}
	stmt, err := conn.PreparexContext(ctx, q)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("mailout: prepare the claim: %w", err)
	}
	return &claimer{conn: conn, stmt: stmt}, nil
}

// Close drops the prepared statement and gives the connection back with
// JIT reset.
func (c *claimer) Close() {
	bg := context.Background()
	_ = c.stmt.Close()
	_, _ = c.conn.ExecContext(bg, `RESET jit`)
	_ = c.conn.Close()
}

// claim takes the next due messages in one statement (its own
// transaction) that decides, row by row, whether the contact may receive
// the message now: those who may are marked sending (claimed_by = owner),
// the others skipped with the reason (an objection, an erasure, a lapsed
// basis). It returns the claimed jobs and the number skipped.
func (c *claimer) claim(ctx context.Context) ([]*job, int, error) {
	var rows []struct {
		Status string `db:"status"`
		job
	}
	if err := c.stmt.SelectContext(ctx, &rows); err != nil {
		return nil, 0, fmt.Errorf("mailout: claim messages: %w", err)
	}
	jobs := make([]*job, 0, len(rows))
	skipped := 0
	for i := range rows {
		if rows[i].Status == "sending" {
			jobs = append(jobs, &rows[i].job)
		} else {
			skipped++
		}
	}
	return jobs, skipped, nil
}

// claimSQL is the claiming statement and the values of its placeholders
// from $4 on: $1 is the batch size, $2 the owner, $3 the cutoff. SKIP LOCKED lets several senders share the
// queue without sending anything twice. The locked rows carry the columns
// the predicate reads, and each contact is read once, for the decision and
// for the job (two index lookups fewer per message than joining outbox and
// contacts again).
func (m *Mailer) claimSQL() (string, []any) {
	pred, args := m.mayReceiveSQL(4)
	why, wargs := m.exclusionSQL(4 + len(args))
	return `
		WITH due AS (
			SELECT o.id, o.contact_id, o.kind, o.purpose FROM outbox o
			WHERE ` + dueSQL(3) + `
			ORDER BY o.next_attempt_at, o.id
			LIMIT $1
			FOR UPDATE OF o SKIP LOCKED),
		decided AS MATERIALIZED (
			SELECT o.id, CASE WHEN (` + pred + `) THEN NULL ELSE (` + why + `) END AS why,
				c.email, c.name, c.company, c.language, c.source, c.created_at, c.last_activity_at
			FROM due o JOIN contacts c ON c.id = o.contact_id)
		UPDATE outbox o SET
			status = CASE WHEN d.why IS NULL THEN 'sending' ELSE 'skipped' END,
			claimed_by = CASE WHEN d.why IS NULL THEN $2::bigint END,
			claimed_at = now(),
			attempts = o.attempts + CASE WHEN d.why IS NULL THEN 1 ELSE 0 END,
			finished_at = CASE WHEN d.why IS NULL THEN NULL ELSE now() END,
			last_error = CASE WHEN d.why IS NULL THEN o.last_error ELSE 'not eligible when due: ' || d.why END
		FROM decided d
		WHERE o.id = d.id
		RETURNING o.status, o.id, o.contact_id, o.kind, o.purpose, o.campaign_id, COALESCE(o.notice_text_id, 0) AS notice_text_id,
			o.subject, o.body_text, o.body_html, o.attempts, COALESCE(d.email, '') AS email, d.name, d.company, d.language, d.source,
			d.created_at AS contact_created_at, d.last_activity_at AS contact_activity_at`, append(args, wargs...)
}

// recoverStale finds messages left "sending" by a sender that is gone: a
// key in outbox_senders whose advisory lock is no longer held (the process
// died or lost its database connection). A campaign message becomes
// "unknown" and is never sent again (at-most-once); a notice or consent
// request is queued again (at-least-once). The dead keys are removed in
// the same transaction; with none, no outbox row is read.
func (m *Mailer) recoverStale(ctx context.Context) (unknown, requeued int, err error) {
	const dead = `
		DELETE FROM outbox_senders s WHERE NOT EXISTS (
			SELECT 1 FROM pg_locks l
			WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
				AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
				AND ((l.classid::bigint << 32) | l.objid::bigint) = s.owner)
		RETURNING s.owner`
	const q = `
		UPDATE outbox o SET
			status = CASE WHEN o.kind = 'campaign' THEN 'unknown' ELSE 'queued' END,
			finished_at = CASE WHEN o.kind = 'campaign' THEN now() END,
			last_error = CASE WHEN o.kind = 'campaign'
				THEN 'the sender stopped while sending; it may or may not have been delivered, and is not sent again'
				ELSE 'the sender stopped while sending; queued again' END,
			claimed_by = NULL
		WHERE o.finished_at IS NULL AND o.status = 'sending' AND o.claimed_by = ANY($1)
		RETURNING o.kind`
	var kinds []string
	err = m.store.InTx(ctx, func(tx *sqlx.Tx) error {
		var owners []int64
		if err := tx.SelectContext(ctx, &owners, dead); err != nil {
			return err
		}
		if len(owners) == 0 {
			return nil
		}
		return tx.SelectContext(ctx, &kinds, q, pq.Array(owners))
	})
	if err != nil {
		return 0, 0, fmt.Errorf("mailout: recover messages of stopped senders: %w", err)
	}
	for _, k := range kinds {
		if k == "campaign" {
			unknown++
		} else {
			requeued++
		}
	}
	if len(kinds) > 0 {
		m.log.Warn("recovered messages of a stopped sender", "unknown", unknown, "requeued", requeued)
	}
	return unknown, requeued, nil
}
