package main

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/basis-crm/basis/config"
	"github.com/basis-crm/basis/crm"
)

func init() {
	register("retention run", "[--dry-run] [--json]", retentionRun)
}

// retentionRules turns the configuration into the crm's rules.
func retentionRules(cfg config.Config) crm.RetentionRules {
	return crm.RetentionRules{ProspectMonths: cfg.Policy.LegitimateInterestMonths,
		UnconfirmedConsentDays: cfg.Retention.UnconfirmedConsentDays, RejectedDays: cfg.Retention.RejectedDays}
}

func retentionRun(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("retention run")
	dry := fs.Bool("dry-run", false, "list what would be erased and why; change nothing")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	rules := retentionRules(a.cfg)
	var list []crm.RetentionCandidate
	if *dry {
		list, err = a.store.RetentionCandidates(ctx, rules)
	} else {
		list, err = a.store.ApplyRetention(ctx, rules, a.actor)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, map[string]any{"dry_run": *dry, "contacts": list})
	}
	verb := "erased"
	if *dry {
		verb = "would erase"
	}
	fmt.Fprintf(env.stdout, "retention: %s %d contacts\n", verb, len(list))
	if len(list) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTACT\tEMAIL\tRULE\tSINCE\tWHY")
	for _, c := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.ContactID, c.Email, c.Rule, c.Since.Format(time.DateOnly), c.Why)
	}
	return tw.Flush()
}
