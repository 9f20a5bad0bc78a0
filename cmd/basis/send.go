package main

import (
	"context"
	"fmt"
	"log/slog"
)

func init() {
	register("send", "--once [--json]", send)
}

func send(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("send")
	once := fs.Bool("once", false, "send everything due, then exit")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	if _, err := parsePositional(fs, args, 0, "no arguments"); err != nil {
		return err
	}
	if !*once {
		return usagef("--once is required (basis serve sends continuously)")
	}
	lessGC(env)
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := a.sendingMailer()
	if err != nil {
		return err
	}
	defer m.Close()
	c, err := m.RunOnce(ctx)
	if *asJSON {
		if jerr := writeJSON(env.stdout, c); jerr != nil {
			return jerr
		}
	} else {
		fmt.Fprintf(env.stdout, "sent %d, retried %d, failed %d, skipped_ineligible %d", c.Sent, c.Retried, c.Failed, c.SkippedIneligible)
		if c.Unknown > 0 || c.Requeued > 0 {
			fmt.Fprintf(env.stdout, ", unknown %d (in flight at a crash, not resent), requeued %d", c.Unknown, c.Requeued)
		}
		fmt.Fprintln(env.stdout)
	}
	return err
}
