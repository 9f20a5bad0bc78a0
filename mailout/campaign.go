package mailout

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// ErrNoAudience reports a campaign that no contact may receive.
var ErrNoAudience = errors.New("no contact may receive this campaign")

// Campaign is a message to every contact of a segment who may be mailed for
// its purpose.
type Campaign struct {
	ID          int64      `db:"id" json:"id"`
	Name        string     `db:"name" json:"name"`
	Purpose     string     `db:"purpose" json:"purpose"`
	Subject     string     `db:"subject" json:"subject"`
	Text        string     `db:"text_body" json:"text"`
	HTML        string     `db:"html_body" json:"html,omitempty"`
	Language    string     `db:"language" json:"language"`
	Segment     Segment    `db:"segment" json:"segment"`
	Status      string     `db:"status" json:"status"`
	ScheduledAt *time.Time `db:"scheduled_at" json:"scheduled_at,omitempty"`
	StartedAt   *time.Time `db:"started_at" json:"started_at,omitempty"`
	FinishedAt  *time.Time `db:"finished_at" json:"finished_at,omitempty"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	CreatedBy   string     `db:"created_by" json:"created_by"`
}

const campaignColumns = `id, name, purpose, subject, text_body, html_body, language, segment, status,
	scheduled_at, started_at, finished_at, created_at, created_by`

// CampaignInput is a campaign to create.
type CampaignInput struct {
	Name, Purpose, Subject string
	Text, HTML             string // templates: see TemplateData
	Language               string // "it" or "en": the language of the text and of the footer
	Segment                Segment
	Actor                  crm.Actor
}

// CreateCampaign validates the templates (an unknown field is an error now,
// not a blank in every message) and stores a draft campaign.
func (m *Mailer) CreateCampaign(ctx context.Context, in CampaignInput) (Campaign, error) {
	if strings.TrimSpace(in.Name) == "" {
		return Campaign{}, fmt.Errorf("mailout: campaign: a name is required: %w", crm.ErrInvalidInput)
	}
	if !slices.Contains(m.store.PurposeNames(), in.Purpose) {
		return Campaign{}, fmt.Errorf("mailout: campaign %q: purpose %q is not one of %v (policy.purposes in the config): %w",
			in.Name, in.Purpose, m.store.PurposeNames(), crm.ErrInvalidInput)
	}
	if in.Language == "" {
		in.Language = m.cfg.Organization.DefaultLanguage
	}
	if in.Language != "it" && in.Language != "en" {
		return Campaign{}, fmt.Errorf("mailout: campaign %q: language %q is not it or en: %w", in.Name, in.Language, crm.ErrInvalidInput)
	}
	if strings.TrimSpace(in.Subject) == "" {
		return Campaign{}, fmt.Errorf("mailout: campaign %q: the subject is empty: %w", in.Name, crm.ErrInvalidInput)
	}
	if _, err := parseTemplate("subject", in.Subject, ""); err != nil {
		return Campaign{}, fmt.Errorf("mailout: campaign %q: %w", in.Name, err)
	}
	if _, err := parseTemplate("text", in.Text, in.HTML); err != nil {
		return Campaign{}, fmt.Errorf("mailout: campaign %q: %w", in.Name, err)
	}
	if err := in.Segment.validate(); err != nil {
		return Campaign{}, fmt.Errorf("mailout: campaign %q: %w", in.Name, err)
	}
	var c Campaign
	err := m.store.InTx(ctx, func(tx *sqlx.Tx) error {
		const q = `INSERT INTO campaigns (name, purpose, subject, text_body, html_body, language, segment, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ` + campaignColumns
		if err := tx.GetContext(ctx, &c, q, in.Name, in.Purpose, in.Subject, in.Text, in.HTML, in.Language, in.Segment, in.Actor); err != nil {
			return fmt.Errorf("mailout: create campaign %q: %w", in.Name, err)
		}
		return m.store.OutboxEvent(ctx, tx, in.Actor, "campaign.created", 0, map[string]any{
			"campaign_id": c.ID, "name": c.Name, "purpose": c.Purpose, "segment": c.Segment})
	})
	return c, err
}

// Campaign returns one campaign.
func (m *Mailer) Campaign(ctx context.Context, id int64) (Campaign, error) {
	var c Campaign
	err := m.db.GetContext(ctx, &c, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("mailout: campaign %d: %w (see basis campaign list)", id, crm.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("mailout: campaign %d: %w", id, err)
	}
	return c, nil
}

// Campaigns lists every campaign, newest first.
func (m *Mailer) Campaigns(ctx context.Context) ([]Campaign, error) {
	out := []Campaign{}
	if err := m.db.SelectContext(ctx, &out, `SELECT `+campaignColumns+` FROM campaigns ORDER BY id DESC`); err != nil {
		return nil, fmt.Errorf("mailout: campaigns: %w", err)
	}
	return out, nil
}

// ActiveCampaigns returns the running and scheduled campaigns, newest
// first: what the dashboard shows. The others (drafts, done, cancelled)
// outnumber them more every month, so they are left out in SQL.
func (m *Mailer) ActiveCampaigns(ctx context.Context) ([]Campaign, error) {
	out := []Campaign{}
	q := `SELECT ` + campaignColumns + ` FROM campaigns WHERE status IN ('running', 'scheduled') ORDER BY id DESC`
	if err := m.db.SelectContext(ctx, &out, q); err != nil {
		return nil, fmt.Errorf("mailout: active campaigns: %w", err)
	}
	return out, nil
}

// CampaignReport is a campaign with its progress.
type CampaignReport struct {
	Campaign
	// Messages counts its outbox rows by status: queued, sending, sent,
	// failed, skipped, unknown, cancelled.
	Messages map[string]int `json:"messages"`
	Total    int            `json:"total"`
}

// ShowCampaign returns a campaign with per-status message counts.
func (m *Mailer) ShowCampaign(ctx context.Context, id int64) (CampaignReport, error) {
	c, err := m.Campaign(ctx, id)
	if err != nil {
		return CampaignReport{}, err
	}
	r := CampaignReport{Campaign: c, Messages: map[string]int{}}
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := m.db.SelectContext(ctx, &rows, `SELECT status, count(*) AS n FROM outbox WHERE campaign_id = $1 GROUP BY status`, id); err != nil {
		return r, fmt.Errorf("mailout: campaign %d: %w", id, err)
	}
	for _, row := range rows {
		r.Messages[row.Status] = row.N
		r.Total += row.N
	}
	return r, nil
}

// Segment narrows a campaign's audience by contact fields; an empty list
// means any value.
type Segment struct {
	Status   []string `json:"status,omitempty"`
	Source   []string `json:"source,omitempty"`
	Language []string `json:"language,omitempty"`
}

// ParseSegment reads "status=customer|qualified,source=import".
func ParseSegment(s string) (Segment, error) {
	var seg Segment
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || v == "" {
			return seg, fmt.Errorf("mailout: segment %q: want key=value[|value], e.g. status=customer|qualified: %w", part, crm.ErrInvalidInput)
		}
		vals := strings.Split(v, "|")
		switch strings.TrimSpace(k) {
		case "status":
			seg.Status = append(seg.Status, vals...)
		case "source":
			seg.Source = append(seg.Source, vals...)
		case "language":
			seg.Language = append(seg.Language, vals...)
		default:
			return seg, fmt.Errorf("mailout: segment: %q is not one of status, source, language: %w", k, crm.ErrInvalidInput)
		}
	}
	return seg, seg.validate()
}

func (s Segment) validate() error {
	for _, v := range s.Status {
		if !slices.Contains(crm.Statuses, v) {
			return fmt.Errorf("segment: status %q is not one of %v: %w", v, crm.Statuses, crm.ErrInvalidInput)
		}
	}
	for _, v := range s.Source {
		if !slices.Contains(crm.Sources, v) {
			return fmt.Errorf("segment: source %q is not one of %v: %w", v, crm.Sources, crm.ErrInvalidInput)
		}
	}
	return nil
}

// Value stores a segment as JSON.
func (s Segment) Value() (driver.Value, error) {
	b, err := json.Marshal(s)
	return string(b), err // text: a []byte would go to jsonb in binary format
}

// Scan reads a segment stored as JSON.
func (s *Segment) Scan(v any) error {
	switch b := v.(type) {
	case []byte:
		return json.Unmarshal(b, s)
	case string:
		return json.Unmarshal([]byte(b), s)
	case nil:
		*s = Segment{}
		return nil
	}
	return fmt.Errorf("mailout: segment: cannot scan %T", v)
}

// sql returns the segment as a predicate over contact row c with
// placeholders from $first.
func (s Segment) sql(first int) (string, []any) {
	conds := []string{"TRUE"}
	var args []any
	add := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		args = append(args, pqStrings(vals))
		conds = append(conds, fmt.Sprintf("c.%s = ANY($%d)", col, first+len(args)-1))
	}
	add("status", s.Status)
	add("source", s.Source)
	add("language", s.Language)
	return strings.Join(conds, " AND "), args
}

// sortedReasons orders exclusion counts for display.
func sortedReasons(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
