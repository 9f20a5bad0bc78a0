package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

func init() {
	register("notices overdue", "[--json]", noticesOverdue)
}

func noticesOverdue(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("notices overdue")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(0, pos, "no arguments"); err != nil {
		return err
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := a.mailer()
	if err != nil {
		return err
	}
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
