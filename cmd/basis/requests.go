package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/basis-crm/basis/crm"
)

func init() {
	register("requests add", "EMAIL --kind access|erasure|objection|rectification|portability|restriction --channel email|letter|phone|web|in_person|other [--received YYYY-MM-DD] [--message-id ID] [--note TEXT]", requestsAdd)
	register("requests list", "[--due-within 7d] [--all] [--json]", requestsList)
	register("requests extend", "ID --months 1|2 --reason TEXT", requestsExtend)
	register("requests fulfil", "ID [-o FILE.zip] [--reason TEXT] [--outcome TEXT]", requestsFulfil)
	register("requests refuse", "ID --ground "+strings.Join(crm.RefusalGrounds, "|")+" --reason TEXT", requestsRefuse)
}

func requestsAdd(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("requests add")
	var in crm.RequestInput
	var received string
	fs.StringVar(&in.Kind, "kind", "", "access, erasure, objection, rectification, portability or restriction")
	fs.StringVar(&in.Channel, "channel", "", "email, letter, phone, web, in_person or other")
	fs.StringVar(&received, "received", "", "day the request was received (default today)")
	fs.Int64Var(&in.InboundMessageID, "message-id", 0, "id of the stored inbound message it came in")
	fs.StringVar(&in.Note, "note", "", "what the person asked, in short")
	pos, err := parsePositional(fs, args, 1, "EMAIL")
	if err != nil {
		return err
	}
	if in.Kind == "" || in.Channel == "" {
		return usagef("--kind and --channel are required")
	}
	if received != "" {
		if in.Received, err = time.Parse(time.DateOnly, received); err != nil {
			return usagef("--received %q is not a date like 2026-11-29", received)
		}
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	in.Email, in.Actor = pos[0], a.actor
	r, err := a.store.AddRequest(ctx, in)
	if err != nil {
		return err
	}
	known := "a contact"
	if r.ContactID == nil {
		known = "no contact held for this address"
	}
	fmt.Fprintf(env.stdout, "request %d (%s, %s) recorded; due %s\n", r.ID, r.Kind, known, r.DueOn.Format(time.DateOnly))
	return nil
}

func requestsList(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("requests list")
	within := fs.String("due-within", "", "only requests due within this long (e.g. 7d, 36h) or late")
	all := fs.Bool("all", false, "include fulfilled and refused requests")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	var f crm.RequestFilter
	f.All = *all
	if *within != "" {
		d, err := parseDays(*within)
		if err != nil || d <= 0 {
			return usagef("--due-within %q is not a duration like 7d or 36h", *within)
		}
		f.DueWithin = d
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.store.ListRequests(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, list)
	}
	return printRequests(env.stdout, list, time.Now())
}

func printRequests(w io.Writer, list []crm.Request, now time.Time) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tEMAIL\tCHANNEL\tRECEIVED\tDUE\tSTATUS")
	for _, r := range list {
		status := r.Status
		if r.Late(now) {
			status = "LATE"
		}
		email := r.Email
		if email == "" {
			email = "(no contact)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, email, r.Channel,
			r.ReceivedOn.Format(time.DateOnly), r.DueOn.Format(time.DateOnly), status)
	}
	return tw.Flush()
}

// parseDays is time.ParseDuration that also takes whole days ("7d").
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		return time.Duration(days) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

func requestID(pos []string) (int64, error) {
	return positiveID(pos, "ID", "see `basis requests list`")
}

func requestsExtend(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("requests extend")
	months := fs.Int("months", 0, "further months (at most 2 in all)")
	reason := fs.String("reason", "", "why (complexity, number of requests); tell the person too")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	id, err := requestID(pos)
	if err != nil {
		return err
	}
	if *months <= 0 || *reason == "" {
		return usagef("--months and --reason are required")
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.store.ExtendRequest(ctx, id, *months, *reason, a.actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "request %d now due %s (extended by %d months in all)\n", r.ID, r.DueOn.Format(time.DateOnly), r.ExtendedMonths)
	return nil
}

func requestsRefuse(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("requests refuse")
	ground := fs.String("ground", "", "why the request is declined: "+strings.Join(crm.RefusalGrounds, ", "))
	reason := fs.String("reason", "", "the facts that show the ground; tell the person too")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	id, err := requestID(pos)
	if err != nil {
		return err
	}
	if *ground == "" || *reason == "" {
		return usagef("--ground and --reason are required")
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.store.RefuseRequest(ctx, id, *ground, *reason, a.actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "request %d refused (%s); tell the person the reasons and that they may complain to the supervisory authority by %s (Art. 12(4))\n",
		r.ID, *ground, r.DueOn.Format(time.DateOnly))
	return nil
}

func requestsFulfil(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("requests fulfil")
	out := fs.String("o", "", "output ZIP for an access or portability request")
	var in crm.FulfilInput
	fs.StringVar(&in.Reason, "reason", "", "reason recorded with an erasure")
	fs.StringVar(&in.Outcome, "outcome", "", "what was done (required for rectification and restriction)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	id, err := requestID(pos)
	if err != nil {
		return err
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	in.Actor = a.actor
	r, err := a.store.GetRequest(ctx, a.db, id)
	if err != nil {
		return err
	}
	exports := (r.Kind == "access" || r.Kind == "portability") && r.Email != "" && r.Status == "open"
	if exports && *out == "" {
		return usagef("-o FILE.zip is required for %s request %d", r.Kind, id)
	}
	var f *os.File
	if exports {
		if f, err = os.Create(*out + ".partial"); err != nil {
			return fmt.Errorf("requests fulfil: %w", err)
		}
		defer os.Remove(*out + ".partial")
		defer f.Close()
		in.Export = f
	}
	if r, err = a.store.FulfilRequest(ctx, id, in); err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("requests fulfil: %w", err)
		}
		if err := os.Rename(*out+".partial", *out); err != nil {
			return fmt.Errorf("requests fulfil: %w", err)
		}
	}
	fmt.Fprintf(env.stdout, "request %d fulfilled: %s\n", r.ID, r.Outcome)
	return nil
}
