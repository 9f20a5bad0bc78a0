package main

import (
	"context"
	"fmt"
	"log/slog"
)

func init() {
	register("consent request", "EMAIL --purpose P", consentRequest)
}

func consentRequest(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("consent request")
	purpose := fs.String("purpose", "", "the purpose to ask consent for, e.g. marketing")
	pos, err := parsePositional(fs, args, 1, "EMAIL")
	if err != nil {
		return err
	}
	if *purpose == "" {
		return usagef("--purpose is required")
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := a.sendingMailer()
	if err != nil {
		return err
	}
	r, err := m.RequestConsent(ctx, pos[0], *purpose, a.actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "consent request %d for %s queued to %s (expires %s); basis send --once or basis serve sends it\n",
		r.Request.ID, *purpose, r.Email, r.Request.ExpiresAt.Format("2006-01-02 15:04"))
	return nil
}
