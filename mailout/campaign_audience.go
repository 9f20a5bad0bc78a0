package mailout

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

func pqStrings(v []string) any { return pq.Array(v) }

// Preview is a campaign's audience as it stands now.
type Preview struct {
	CampaignID int64          `json:"campaign_id"`
	Purpose    string         `json:"purpose"`
	Eligible   int            `json:"eligible"`
	Excluded   map[string]int `json:"excluded"` // by reason: no_basis, withdrawn, lapsed, objected, bounced, erased
}

// PreviewCampaign counts who would receive the campaign now and, for the
// others in its segment, why not.
func (m *Mailer) PreviewCampaign(ctx context.Context, id int64) (Preview, error) {
	c, err := m.Campaign(ctx, id)
	if err != nil {
		return Preview{}, err
	}
	if err := m.freshStats(ctx, audienceTables...); err != nil {
		return Preview{}, err
	}
	seg, args := c.Segment.sql(1)
	why, wargs := m.store.ExclusionSQL("c", 1+len(args), c.Purpose)
	q := `SELECT reason, count(*) AS n FROM (SELECT ` + why + ` AS reason FROM contacts c WHERE ` + seg + `) r GROUP BY reason`
	var rows []struct {
		Reason string `db:"reason"`
		N      int    `db:"n"`
	}
	if err := m.db.SelectContext(ctx, &rows, q, append(args, wargs...)...); err != nil {
		return Preview{}, fmt.Errorf("mailout: preview campaign %d: %w", id, err)
	}
	p := Preview{CampaignID: id, Purpose: c.Purpose, Excluded: map[string]int{}}
	for _, r := range rows {
		if r.Reason == "eligible" {
			p.Eligible = r.N
		} else {
			p.Excluded[r.Reason] = r.N
		}
	}
	return p, nil
}

// noAudience is the error for a campaign nobody may receive, with why.
func noAudience(c Campaign, p Preview) error {
	var parts []string
	for _, k := range sortedReasons(p.Excluded) {
		parts = append(parts, fmt.Sprintf("%s %d", k, p.Excluded[k]))
	}
	why := "the segment matches no contact"
	if len(parts) > 0 {
		why = "excluded: " + strings.Join(parts, ", ")
	}
	return fmt.Errorf("mailout: campaign %d %q: %w for purpose %q (%s); record a basis (e.g. basis consent request EMAIL --purpose %s) or change the segment",
		c.ID, c.Name, ErrNoAudience, c.Purpose, why, c.Purpose)
}

// materialize queues one message per eligible contact of the segment, in
// one statement, and returns how many.
func (m *Mailer) materialize(ctx context.Context, tx *sqlx.Tx, c Campaign) (int, error) {
	seg, args := c.Segment.sql(4)
	pred, pargs := m.store.EligibleSQL("c", 4+len(args), c.Purpose)
	q := `INSERT INTO outbox (contact_id, kind, purpose, campaign_id, next_attempt_at, created_by)
		SELECT c.id, 'campaign', $1, $2, now(), $3 FROM contacts c
		WHERE ` + seg + ` AND ` + pred + `
		ON CONFLICT (campaign_id, contact_id) WHERE campaign_id IS NOT NULL DO NOTHING`
	res, err := tx.ExecContext(ctx, q, append(append([]any{c.Purpose, c.ID, system}, args...), pargs...)...)
	if err != nil {
		return 0, fmt.Errorf("mailout: campaign %d: queue recipients: %w", c.ID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
