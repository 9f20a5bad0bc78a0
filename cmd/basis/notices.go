package main

import (
	"context"
	"fmt"
	"time"
)

func init() {
	register("notices overdue", "[--json]", noticesOverdue)
	register("notices update", "[--dry-run] [--json]", noticesUpdate)
}

// noticesUpdate queues the current privacy notice for the contacts told an
// earlier version, after the notice changed.
func noticesUpdate(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("notices update")
	dryRun := fs.Bool("dry-run", false, "count, queue nothing")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parsePositional(fs, args, 0, "no arguments"); err != nil {
		return err
	}
	a, m, err := env.openMailer(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := m.QueueUpdatedNotices(ctx, a.actor, *dryRun)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, u)
	}
	if u.DryRun {
		fmt.Fprintf(env.stdout, "privacy notice %s: would queue it for %d contacts told an earlier version, and move %d waiting notices to it (dry run: nothing written)\n",
			u.Version, u.Queued, u.Moved)
		return nil
	}
	fmt.Fprintf(env.stdout, "privacy notice %s: queued for %d contacts told an earlier version; %d waiting notices moved to it\n",
		u.Version, u.Queued, u.Moved)
	return nil
}

func noticesOverdue(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("notices overdue")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parsePositional(fs, args, 0, "no arguments"); err != nil {
		return err
	}
	a, m, err := env.openMailer(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := m.NoticesOverdue(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.stdout, "no privacy notice is overdue")
		return nil
	}
	for _, o := range list {
		fmt.Fprintf(env.stdout, "%s\tcaptured %s\tdue %s\tnotice %s\t%s\n", o.Email, o.CreatedAt.Format(time.DateOnly),
			o.DueAt.Format(time.DateOnly), o.Status, o.LastError)
	}
	return nil
}
