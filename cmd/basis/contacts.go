package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/basis-crm/basis/crm"
)

func init() {
	register("contacts add", "EMAIL --name NAME --purpose P --basis KIND --source SOURCE --reason TEXT [--evidence FILE] [--company C] [--phone PH] [--language it|en]", contactsAdd)
	register("contacts import", "FILE.csv --purpose P --basis KIND --source SOURCE --reason TEXT [--skip-bad] [--json]", contactsImport)
	register("contacts list", "[--status S] [--json]", contactsList)
	register("contacts show", "EMAIL [--json]", contactsShow)
}

func contactsAdd(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("contacts add")
	var in crm.AddInput
	var evidence string
	fs.StringVar(&in.Name, "name", "", "display name")
	fs.StringVar(&in.Purpose, "purpose", "", "purpose of the basis")
	fs.StringVar(&in.Kind, "basis", "", "basis kind")
	fs.StringVar(&in.Source, "source", "manual", "how the contact was obtained")
	fs.StringVar(&in.Reason, "reason", "", "why this person may be contacted")
	fs.StringVar(&evidence, "evidence", "", "evidence file (business card scan, signed form)")
	fs.StringVar(&in.Company, "company", "", "company")
	fs.StringVar(&in.Phone, "phone", "", "phone")
	fs.StringVar(&in.Language, "language", "", "it or en")
	pos, err := parsePositional(fs, args, 1, "EMAIL")
	if err != nil {
		return err
	}
	if in.Purpose == "" || in.Kind == "" || in.Reason == "" {
		return usagef("--purpose, --basis and --reason are required")
	}
	in.Email = pos[0]
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	in.Actor, in.MaxEvidenceBytes = a.actor, a.cfg.Evidence.MaxFileBytes
	if evidence != "" {
		if in.EvidenceFile, err = readEvidence(evidence, a.cfg.Evidence.MaxFileBytes); err != nil {
			return err
		}
		in.EvidenceFileName = evidence
	}
	c, err := a.store.AddContact(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "added %s (contact %d)\n", c.Email, c.ID)
	return nil
}

func readEvidence(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("evidence file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("evidence file %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("evidence file %s is larger than %d bytes (raise evidence.max_file_bytes or scan at a lower resolution)", path, limit)
	}
	return data, nil
}

func contactsImport(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("contacts import")
	var opt crm.ImportOptions
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.StringVar(&opt.Purpose, "purpose", "", "purpose of the basis")
	fs.StringVar(&opt.Kind, "basis", "", "basis kind")
	fs.StringVar(&opt.Source, "source", "import", "how the contacts were obtained")
	fs.StringVar(&opt.Reason, "reason", "", "why these people may be contacted")
	fs.BoolVar(&opt.SkipBad, "skip-bad", false, "import the good rows even if some are bad")
	pos, err := parsePositional(fs, args, 1, "FILE.csv")
	if err != nil {
		return err
	}
	if opt.Purpose == "" || opt.Kind == "" || opt.Reason == "" {
		return usagef("--purpose, --basis and --reason are required")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	opt.Actor = a.actor
	rep, err := a.store.Import(ctx, f, opt)
	for _, b := range rep.Bad {
		fmt.Fprintf(env.stderr, "%s:%d: %s\n", pos[0], b.Line, b.Why)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, rep)
	}
	fmt.Fprintf(env.stdout, "added %d, updated %d, refused %d, bad %d\n", rep.Added, rep.Updated, len(rep.Refused), len(rep.Bad))
	for _, r := range rep.Refused {
		fmt.Fprintf(env.stdout, "refused line %d %s: %s\n", r.Line, r.Email, r.Why)
	}
	return nil
}

func contactsList(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("contacts list")
	status := fs.String("status", "", "only this status")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.store.ListContacts(ctx, crm.ListFilter{Status: *status, Limit: 1 << 30})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, list)
	}
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tCOMPANY\tSTATUS\tSOURCE\tCREATED")
	for _, c := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Email, c.Name, c.Company, c.Status, c.Source, c.CreatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}

func contactsShow(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("contacts show")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parsePositional(fs, args, 1, "EMAIL")
	if err != nil {
		return err
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	d, err := a.store.Detail(ctx, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.stdout, d)
	}
	printDetail(env.stdout, d)
	return nil
}

func printDetail(w io.Writer, d crm.ContactDetail) {
	fmt.Fprintf(w, "%s <%s>\n  company %q, phone %q, language %q\n  status %s, source %s, created %s, last activity %s\n",
		d.Name, d.Email, d.Company, d.Phone, d.Language, d.Status, d.Source, d.CreatedAt.Format(time.RFC3339), d.LastActivityAt.Format(time.RFC3339))
	fmt.Fprintln(w, "eligibility:")
	for p, e := range d.Eligibility {
		fmt.Fprintf(w, "  %-20s allowed=%v  %s\n", p, e.Allowed, e.Reason)
	}
	fmt.Fprintln(w, "bases:")
	for _, b := range d.Bases {
		fmt.Fprintf(w, "  %s %s from %s since %s active=%v evidence=%s %s\n", b.Purpose, b.Kind, b.Source, b.ValidFrom.Format(time.DateOnly), b.Active, b.EvidenceSHA256, b.Reason)
	}
	fmt.Fprintln(w, "evidence:")
	for _, e := range d.Evidence {
		fmt.Fprintf(w, "  %s %s %s %d bytes %s\n", e.Kind, e.SHA256, e.ContentType, e.Size, e.ReceivedAt.Format(time.RFC3339))
	}
	fmt.Fprintln(w, "consents:")
	for _, c := range d.Consents {
		fmt.Fprintf(w, "  %s via %s on %s, text %s (%s)\n", c.Purpose, c.Method, c.ConfirmedAt.Format(time.RFC3339), c.TextVersion, c.TextSHA256)
	}
	fmt.Fprintln(w, "activities:")
	for _, act := range d.Activities {
		fmt.Fprintf(w, "  %s %s by %s: %s\n", act.At.Format(time.RFC3339), act.Kind, act.Actor, act.Reason)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
