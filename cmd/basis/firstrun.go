package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"

	"github.com/basis-crm/basis/crm"
)

// ensureAdmin creates the first admin account when there is none, from
// BASIS_ADMIN_EMAIL / BASIS_ADMIN_PASSWORD or with a generated password
// printed once.
func ensureAdmin(ctx context.Context, a *app, env *cli, out io.Writer) error {
	n, err := a.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	email := env.getenv("BASIS_ADMIN_EMAIL")
	if email == "" {
		domain := "example.com"
		if len(a.cfg.Organization.StaffDomains) > 0 {
			domain = a.cfg.Organization.StaffDomains[0]
		}
		email = "admin@" + domain
	}
	password, shown := env.getenv("BASIS_ADMIN_PASSWORD"), false
	if password == "" {
		password, shown = rand.Text(), true
	}
	u, err := a.store.AddUser(ctx, email, "admin", password, crm.Actor("system:first-run"))
	if err != nil {
		return fmt.Errorf("first run: create the admin account: %w (set BASIS_ADMIN_EMAIL and BASIS_ADMIN_PASSWORD)", err)
	}
	line := strings.Repeat("=", 72)
	fmt.Fprintf(out, "%s\nFirst run: admin account created.\n  log in at %s/login\n  email:    %s\n", line, a.cfg.Web.BaseURL, u.Email)
	if shown {
		fmt.Fprintf(out, "  password: %s   (shown once: write it down)\n", password)
	} else {
		fmt.Fprintln(out, "  password: from BASIS_ADMIN_PASSWORD")
	}
	fmt.Fprintln(out, line)
	return nil
}
