package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"text/tabwriter"
	"time"
)

func init() {
	register("hold add", "EVIDENCE_ID --reason TEXT", holdAdd)
	register("hold lift", "ID [--reason TEXT]", holdLift)
	register("hold list", "[--all] [--json]", holdList)
}

func positiveID(pos []string, what, hint string) (int64, error) {
	if err := exactly(1, pos, what); err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q is not a %s (%s)", pos[0], what, hint)
	}
	return id, nil
}

func holdAdd(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("hold add")
	reason := fs.String("reason", "", "the claim or proceedings the evidence is kept for")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	id, err := positiveID(pos, "EVIDENCE_ID", "see `basis contacts show EMAIL`")
	if err != nil {
		return err
	}
	if *reason == "" {
		return usagef("--reason is required")
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	h, err := a.store.PlaceHold(ctx, id, *reason, a.actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "hold %d placed on evidence %d (sha256 %s)\n", h.ID, h.EvidenceID, h.EvidenceSHA256)
	return nil
}

func holdLift(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("hold lift")
	reason := fs.String("reason", "", "why the hold ends")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	id, err := positiveID(pos, "ID", "see `basis hold list`")
	if err != nil {
		return err
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	h, err := a.store.LiftHold(ctx, id, *reason, a.actor)
	if err != nil {
		return err
	}
	what := "kept (its contact was not erased)"
	if h.ContactErased {
		what = "erased"
	}
	fmt.Fprintf(env.stdout, "hold %d lifted; evidence %d %s\n", h.ID, h.EvidenceID, what)
	return nil
}

func holdList(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("hold list")
	all := fs.Bool("all", false, "include lifted holds")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	holds, err := a.store.Holds(ctx, !*all)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, holds)
	}
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEVIDENCE\tKIND\tPLACED\tLIFTED\tREASON")
	for _, h := range holds {
		lifted := "-"
		if h.LiftedAt != nil {
			lifted = h.LiftedAt.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", h.ID, h.EvidenceID, h.EvidenceKind, h.PlacedAt.Format(time.DateOnly), lifted, h.Reason)
	}
	return tw.Flush()
}
