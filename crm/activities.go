package crm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ActivityKinds: staff actions (call, email, meeting, note) and what mail
// brings in (reply, auto_reply, bounce).
var ActivityKinds = []string{"call", "email", "meeting", "note", "reply", "auto_reply", "bounce"}

// Activity is one action on a contact, with why it was taken.
type Activity struct {
	ID         int64     `db:"id" json:"id"`
	ContactID  int64     `db:"contact_id" json:"contact_id"`
	Kind       string    `db:"kind" json:"kind"`
	Reason     string    `db:"reason" json:"reason"`
	Note       string    `db:"note" json:"note,omitempty"`
	EvidenceID *int64    `db:"evidence_id" json:"evidence_id,omitempty"`
	Actor      Actor     `db:"actor" json:"actor"`
	At         time.Time `db:"at" json:"at"`
}

// ActivityInput is an action to record.
type ActivityInput struct {
	ContactID  int64
	Kind       string
	Reason     string
	Note       string
	EvidenceID int64
	At         time.Time // zero: now
	Actor      Actor
}

// LogActivity records an action on a contact. The reason is mandatory: "why
// did we contact this person" is answered on the record.
func (s *Store) LogActivity(ctx context.Context, tx *sqlx.Tx, in ActivityInput) (Activity, error) {
	in, err := activityFields(in, s.clock())
	if err != nil {
		return Activity{}, err
	}
	const q = `
		WITH a AS (
			INSERT INTO activities (contact_id, kind, reason, note, evidence_id, actor, at)
			VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6, $7)
			RETURNING id, contact_id, kind, reason, note, evidence_id, actor, at),
		c AS (UPDATE contacts SET last_activity_at = greatest(last_activity_at, $7) WHERE id = $1)
		SELECT * FROM a`
	var a Activity
	if err := tx.GetContext(ctx, &a, q, in.ContactID, in.Kind, in.Reason, in.Note, in.EvidenceID, in.Actor, in.At); err != nil {
		return Activity{}, fmt.Errorf("crm: log %s on contact %d: %w", in.Kind, in.ContactID, err)
	}
	return a, s.audit(ctx, tx, in.Actor, "activity.logged", in.ContactID, map[string]any{
		"activity_id": a.ID, "kind": a.Kind, "reason": a.Reason, "note": a.Note, "evidence_id": a.EvidenceID,
	})
}

// activityFields checks in as both LogActivity paths (Store and
// InboundBatch) do, a known kind and a reason, and completes it: At now
// when not given.
func activityFields(in ActivityInput, now time.Time) (ActivityInput, error) {
	if !slices.Contains(ActivityKinds, in.Kind) {
		return in, fmt.Errorf("crm: activity kind %q is not one of %v: %w", in.Kind, ActivityKinds, ErrInvalidInput)
	}
	if strings.TrimSpace(in.Reason) == "" {
		return in, fmt.Errorf("crm: activity: a reason is required (why was this person contacted?): %w", ErrInvalidInput)
	}
	if in.At.IsZero() {
		in.At = now
	}
	return in, nil
}

// activityColumns are the columns of an Activity.
const activityColumns = `id, contact_id, kind, reason, note, evidence_id, actor, at`

// Activities lists a contact's actions, newest first.
func (s *Store) Activities(ctx context.Context, q sqlx.QueryerContext, contactID int64) ([]Activity, error) {
	out := []Activity{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+activityColumns+`
		FROM activities WHERE contact_id = $1 ORDER BY at DESC, id DESC`, contactID)
	if err != nil {
		return nil, fmt.Errorf("crm: activities of contact %d: %w", contactID, err)
	}
	return out, nil
}
