package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/basis-crm/basis/mailout"
)

func init() {
	register("campaign create", "--name N --purpose P --subject S --text FILE [--html FILE] [--lang it|en] [--segment status=...,source=...]", campaignCreate)
	register("campaign preview", "ID [--json]", campaignPreview)
	register("campaign schedule", "ID --at TIME|now", campaignSchedule)
	register("campaign pause", "ID", campaignTransition("pause"))
	register("campaign resume", "ID", campaignTransition("resume"))
	register("campaign cancel", "ID", campaignTransition("cancel"))
	register("campaign show", "ID [--json]", campaignShow)
	register("campaign list", "[--json]", campaignList)
}

// openMailer opens Basis and its outbox for a command.
func (env *cli) openMailer(ctx context.Context) (*app, *mailout.Mailer, error) {
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return nil, nil, err
	}
	m, err := a.mailer()
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, m, nil
}

func campaignCreate(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("campaign create")
	var in mailout.CampaignInput
	var textFile, htmlFile, segment string
	fs.StringVar(&in.Name, "name", "", "campaign name")
	fs.StringVar(&in.Purpose, "purpose", "", "purpose, e.g. marketing")
	fs.StringVar(&in.Subject, "subject", "", "subject (a template)")
	fs.StringVar(&textFile, "text", "", "text body template file")
	fs.StringVar(&htmlFile, "html", "", "HTML body template file")
	fs.StringVar(&in.Language, "lang", "", "it or en")
	fs.StringVar(&segment, "segment", "", "status=a|b,source=c,language=it")
	if _, err := parsePositional(fs, args, 0, "no arguments"); err != nil {
		return err
	}
	if in.Name == "" || in.Purpose == "" || in.Subject == "" || textFile == "" {
		return usagef("--name, --purpose, --subject and --text are required")
	}
	text, err := os.ReadFile(textFile)
	if err != nil {
		return fmt.Errorf("campaign text: %w", err)
	}
	in.Text = string(text)
	if htmlFile != "" {
		html, err := os.ReadFile(htmlFile)
		if err != nil {
			return fmt.Errorf("campaign html: %w", err)
		}
		in.HTML = string(html)
	}
	if in.Segment, err = mailout.ParseSegment(segment); err != nil {
		return err
	}
	a, m, err := env.openMailer(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	in.Actor = a.actor
	c, err := m.CreateCampaign(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, c.ID)
	return nil
}

func campaignID(fs interface{ Args() []string }, pos []string) (int64, error) {
	if err := exactly(1, pos, "ID"); err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return 0, usagef("campaign ID %q is not a number", pos[0])
	}
	return id, nil
}

func campaignPreview(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("campaign preview")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	id, err := campaignID(fs, pos)
	if err != nil {
		return err
	}
	a, m, err := env.openMailer(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := m.PreviewCampaign(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, p)
	}
	fmt.Fprintf(env.stdout, "campaign %d (%s): %d eligible\n", id, p.Purpose, p.Eligible)
	for _, reason := range []string{"no_basis", "withdrawn", "lapsed", "objected", "bounced", "erased"} {
		fmt.Fprintf(env.stdout, "  excluded %-10s %d\n", reason, p.Excluded[reason])
	}
	if p.Eligible == 0 {
		fmt.Fprintf(env.stdout, "no contact may receive this campaign for purpose %s; it cannot be scheduled\n", p.Purpose)
	}
	return nil
}

func campaignSchedule(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("campaign schedule")
	at := fs.String("at", "", "now, or a time such as 2026-12-01T09:00 (local) or RFC 3339")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	id, err := campaignID(fs, pos)
	if err != nil {
		return err
	}
	var when time.Time
	switch {
	case *at == "":
		return usagef("--at is required (now, or a time such as 2026-12-01T09:00)")
	case *at != "now":
		if when, err = parseTime(*at); err != nil {
			return usagef("--at %q: use now, 2026-12-01T09:00 or RFC 3339", *at)
		}
	}
	a, m, err := env.openMailer(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := m.ScheduleCampaign(ctx, id, when, a.actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "campaign %d scheduled for %s\n", c.ID, c.ScheduledAt.Local().Format("2006-01-02 15:04:05"))
	return nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

func campaignTransition(verb string) func(ctx context.Context, env *cli, args []string) error {
	return func(ctx context.Context, env *cli, args []string) error {
		fs := newFlags("campaign " + verb)
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		id, err := campaignID(fs, pos)
		if err != nil {
			return err
		}
		a, m, err := env.openMailer(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		var c mailout.Campaign
		switch verb {
		case "pause":
			c, err = m.PauseCampaign(ctx, id, a.actor)
		case "resume":
			c, err = m.ResumeCampaign(ctx, id, a.actor)
		default:
			c, err = m.CancelCampaign(ctx, id, a.actor)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "campaign %d is %s\n", c.ID, c.Status)
		return nil
	}
}

func campaignShow(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("campaign show")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	id, err := campaignID(fs, pos)
	if err != nil {
		return err
	}
	a, m, err := env.openMailer(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := m.ShowCampaign(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, r)
	}
	fmt.Fprintf(env.stdout, "campaign %d %q\npurpose %s, language %s, status %s\n", r.ID, r.Name, r.Purpose, r.Language, r.Status)
	done := r.Messages["sent"] + r.Messages["failed"] + r.Messages["skipped"] + r.Messages["unknown"] + r.Messages["cancelled"]
	if r.Total > 0 {
		fmt.Fprintf(env.stdout, "progress %d/%d (%.0f%%)\n", done, r.Total, 100*float64(done)/float64(r.Total))
	}
	var parts []string
	for _, s := range []string{"queued", "sending", "sent", "failed", "skipped", "unknown", "cancelled"} {
		parts = append(parts, fmt.Sprintf("%s %d", s, r.Messages[s]))
	}
	fmt.Fprintln(env.stdout, strings.Join(parts, ", "))
	if r.Messages["unknown"] > 0 {
		fmt.Fprintf(env.stdout, "%d messages were in flight when a sender stopped: they may or may not have arrived and are not sent again\n", r.Messages["unknown"])
	}
	return nil
}

func campaignList(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("campaign list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a, m, err := env.openMailer(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := m.Campaigns(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, list)
	}
	for _, c := range list {
		fmt.Fprintf(env.stdout, "%d\t%s\t%s\t%s\n", c.ID, c.Status, c.Purpose, c.Name)
	}
	return nil
}
