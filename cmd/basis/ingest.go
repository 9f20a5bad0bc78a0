package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/basis-crm/basis/mailin"
)

func init() {
	register("ingest", "--once [--account NAME] [--json]", ingest)
	addComponent("mailin", servePollers)
}

// mailinAccounts maps the configured accounts, validating each.
func mailinAccounts(a *app) ([]mailin.Account, error) {
	var out []mailin.Account
	var errs []error
	for i, c := range a.cfg.Mailin.Accounts {
		acct := mailin.Account{Name: c.Name, Host: c.Host, Port: c.Port, TLS: c.TLS, Username: c.Username,
			Password: c.Password, Mailbox: c.Mailbox, After: c.After, Index: i}
		if err := acct.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("mailin.accounts[%d]: %w", i, err))
		}
		out = append(out, acct)
	}
	return out, errors.Join(errs...)
}

func newIngester(a *app) *mailin.Ingester {
	return &mailin.Ingester{
		Store: a.store,
		Classifier: mailin.Classifier{StaffDomains: a.cfg.Organization.StaffDomains, SpamHeaders: a.cfg.Mailin.SpamHeaders,
			UnsubscribeMailto: a.cfg.Mailout.UnsubscribeMailto},
		MaxMessageBytes: a.cfg.Mailin.MaxMessageBytes,
		Log:             a.log,
	}
}

func ingest(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("ingest")
	once := fs.Bool("once", false, "fetch and process all new mail, then exit")
	only := fs.String("account", "", "only this account")
	asJSON := fs.Bool("json", false, "print the summaries as JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if !*once {
		return usagef("--once is required (`basis serve` ingests continuously)")
	}
	softMemoryLimit(env)
	lessGC(env)
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	accounts, err := mailinAccounts(a)
	if err != nil {
		return err
	}
	if len(accounts) == 0 {
		return errors.New("no IMAP account configured (add one under mailin.accounts in basis.yaml)")
	}
	in := newIngester(a)
	in.Progress = progressPrinter(env.stderr)
	var sums []mailin.Summary
	var failed []error
	found := false
	for _, acct := range accounts {
		if *only != "" && acct.Name != *only {
			continue
		}
		found = true
		sum, err := in.IngestAccount(ctx, acct)
		if err != nil {
			sum.Errors++
			failed = append(failed, err)
		}
		sums = append(sums, sum)
		if !*asJSON {
			fmt.Fprintln(env.stdout, sum)
		}
	}
	if !found {
		return fmt.Errorf("no account named %q in mailin.accounts", *only)
	}
	if *asJSON {
		if err := writeJSON(env.stdout, sums); err != nil {
			return err
		}
	}
	return errors.Join(failed...)
}

// progressPrinter shows count and rate on a terminal once a mailbox is
// large, and stays quiet when output is not a terminal.
func progressPrinter(w io.Writer) func(string, int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	start := time.Now()
	return func(account string, done int) {
		if done < 300 {
			return
		}
		rate := float64(done) / time.Since(start).Seconds()
		fmt.Fprintf(w, "\r%s: %d messages, %.0f msg/s ", account, done, rate)
	}
}

// servePollers starts one poller per configured account inside `basis serve`.
func servePollers(_ context.Context, a *app, _ *http.ServeMux) ([]func(context.Context) error, error) {
	accounts, err := mailinAccounts(a)
	if err != nil {
		return nil, err
	}
	in := newIngester(a)
	var loops []func(context.Context) error
	for _, acct := range accounts {
		p := &mailin.Poller{Ingester: in, Account: acct, PollInterval: a.cfg.Mailin.PollInterval}
		loops = append(loops, p.Run)
	}
	return loops, nil
}
