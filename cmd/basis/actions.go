package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

func init() {
	register("activity log", "EMAIL --kind call|email|meeting|note --reason TEXT [--note TEXT]", activityLog)
	register("object", "EMAIL [--purpose P | --all] [--reason TEXT]", object)
	register("erase", "EMAIL --reason TEXT", erase)
	register("export", "EMAIL -o FILE.zip [--dossier]", export)
	register("audit verify", "[--json]", auditVerify)
	register("user add", "EMAIL --role admin|staff|auditor (password from stdin, or generated and printed once)", userAdd)
}

// staffActivityKinds are what staff log by hand; replies, auto-replies and
// bounces are recorded by mailin.
var staffActivityKinds = []string{"call", "email", "meeting", "note"}

func activityLog(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("activity log")
	var in crm.ActivityInput
	fs.StringVar(&in.Kind, "kind", "", "call, email, meeting or note")
	fs.StringVar(&in.Reason, "reason", "", "why this person was contacted")
	fs.StringVar(&in.Note, "note", "", "what was said or agreed")
	pos, err := parsePositional(fs, args, 1, "EMAIL")
	if err != nil {
		return err
	}
	if in.Kind == "" || in.Reason == "" {
		return usagef("--kind and --reason are required")
	}
	if !slices.Contains(staffActivityKinds, in.Kind) {
		return usagef("--kind %q is not one of %s", in.Kind, strings.Join(staffActivityKinds, ", "))
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	in.Actor = a.actor
	return a.store.InTx(ctx, func(tx *sqlx.Tx) error {
		c, err := a.store.FindContact(ctx, tx, pos[0])
		if err != nil {
			return err
		}
		in.ContactID = c.ID
		act, err := a.store.LogActivity(ctx, tx, in)
		if err == nil {
			fmt.Fprintf(env.stdout, "logged %s on %s (activity %d)\n", act.Kind, c.Email, act.ID)
		}
		return err
	})
}

func object(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("object")
	var in crm.ObjectionInput
	fs.StringVar(&in.Purpose, "purpose", "", "purpose objected to (default: all marketing, Art. 21(2))")
	all := fs.Bool("all", false, "object to every purpose, the follow-up of an inquiry too (Art. 21(1))")
	fs.StringVar(&in.Reason, "reason", "", "how the objection was received")
	pos, err := parsePositional(fs, args, 1, "EMAIL")
	if err != nil {
		return err
	}
	if *all {
		if in.Purpose != "" {
			return usagef("--all and --purpose exclude each other")
		}
		in.Purpose = crm.AllPurposes
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	in.Email, in.Actor = pos[0], a.actor
	if err := a.store.ObjectTx(ctx, in); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "objection recorded for %s\n", pos[0])
	return nil
}

func erase(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("erase")
	var in crm.ErasureInput
	fs.StringVar(&in.Reason, "reason", "", "why (e.g. Art. 17 request received 2026-11-29)")
	pos, err := parsePositional(fs, args, 1, "EMAIL")
	if err != nil {
		return err
	}
	if in.Reason == "" {
		return usagef("--reason is required")
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	in.Email, in.Actor = pos[0], a.actor
	c, err := a.store.Erase(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "erased contact %d\n", c.ID)
	return nil
}

func export(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("export")
	out := fs.String("o", "", "output ZIP file")
	withDossier := fs.Bool("dossier", false, "add the evidence dossier (dossier.html, dossier.pdf, audit proof)")
	pos, err := parsePositional(fs, args, 1, "EMAIL")
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("-o FILE.zip is required")
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	tmp := *out + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	rec, err := exportOrErasureRecord(ctx, a, pos[0], f, *withDossier)
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if rec == nil {
		fmt.Fprintf(env.stdout, "exported %s to %s\n", pos[0], *out)
		return nil
	}
	last := rec.Last()
	fmt.Fprintf(env.stdout, "%s was erased on %s (reason %s): wrote the erasure record to %s", pos[0],
		last.ErasedAt.Local().Format(time.DateOnly), last.Reason, *out)
	if *withDossier {
		fmt.Fprint(env.stdout, " instead of a dossier (the person's data was erased)")
	}
	fmt.Fprintln(env.stdout)
	return nil
}

// exportOrErasureRecord writes the export of email to f or, when Basis holds
// no contact under that address because it was erased, the erasure record,
// which it returns (nil for an export). With neither, the error says so.
func exportOrErasureRecord(ctx context.Context, a *app, email string, f *os.File, withDossier bool) (*crm.ErasureRecord, error) {
	err := exportTo(ctx, a, email, f, withDossier)
	if !errors.Is(err, crm.ErrNotFound) {
		return nil, err
	}
	if _, ferr := a.store.FindContact(ctx, a.store.DB(), email); !errors.Is(ferr, crm.ErrNotFound) {
		return nil, err // the contact is there: what was not found is something else
	}
	if err := f.Truncate(0); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	rec, err := a.store.ExportErasureRecord(ctx, email, f, a.actor)
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

func auditVerify(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("audit verify")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.store.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(env.stdout, res); err != nil {
			return err
		}
	} else if res.OK {
		fmt.Fprintf(env.stdout, "audit chain ok: %d events (%d redacted by erasure), head %s\n", res.Events, res.Redacted, res.HeadHash)
	}
	if !res.OK {
		return fmt.Errorf("audit chain broken at event %d: %s", res.BadSeq, res.Problem)
	}
	return nil
}
