package crm

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// ImportOptions say which basis every imported row gets.
type ImportOptions struct {
	Purpose, Kind, Source, Reason string
	// SkipBad imports the good rows of a file with bad rows; without it a
	// single bad row means nothing is imported.
	SkipBad bool
	Actor   Actor
}

// ImportRow is one problem row of an import, by line number.
type ImportRow struct {
	Line  int    `json:"line"`
	Email string `json:"email,omitempty"`
	Why   string `json:"why"`
}

// ImportReport counts what an import did.
type ImportReport struct {
	Added   int         `json:"added"`
	Updated int         `json:"updated"`
	Refused []ImportRow `json:"refused"` // erased or suppressed: never re-added
	Bad     []ImportRow `json:"bad"`     // malformed rows
}

// ErrBadRows reports a CSV with malformed rows imported without SkipBad.
var ErrBadRows = errors.New("the file has bad rows; nothing was imported (fix them, or pass --skip-bad to import the good rows)")

// Import adds or updates contacts from a CSV with the header
// email,name,company,phone, all in one transaction.
func (s *Store) Import(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	rep := ImportReport{Refused: []ImportRow{}, Bad: []ImportRow{}}
	if err := s.CheckPurposeKind(opt.Purpose, opt.Kind); err != nil {
		return rep, fmt.Errorf("crm: import: %w", err)
	}
	if strings.TrimSpace(opt.Reason) == "" {
		return rep, fmt.Errorf("crm: import: a reason is required (why may these people be contacted?): %w", ErrInvalidInput)
	}
	rows, err := readImportCSV(r, &rep)
	if err != nil {
		return rep, err
	}
	if len(rep.Bad) > 0 && !opt.SkipBad {
		return rep, fmt.Errorf("crm: import: %d bad rows (first: line %d: %s): %w", len(rep.Bad), rep.Bad[0].Line, rep.Bad[0].Why, ErrBadRows)
	}
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, row := range rows {
			if err := s.importRow(ctx, tx, row, opt, &rep); err != nil {
				return fmt.Errorf("crm: import line %d: %w", row.line, err)
			}
		}
		return nil
	})
	if err != nil {
		return ImportReport{Refused: []ImportRow{}, Bad: rep.Bad}, err
	}
	return rep, nil
}

type importRow struct {
	line                        int
	email, name, company, phone string
}

func readImportCSV(r io.Reader, rep *ImportReport) ([]importRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("crm: import: read header: %w (expected email,name,company,phone): %w", err, ErrInvalidInput)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := cols["email"]; !ok {
		return nil, fmt.Errorf("crm: import: header %q has no email column (expected email,name,company,phone): %w", strings.Join(header, ","), ErrInvalidInput)
	}
	field := func(rec []string, name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []importRow
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			rep.Bad = append(rep.Bad, ImportRow{Line: line, Why: err.Error()})
			continue
		}
		if len(rec) != len(header) {
			rep.Bad = append(rep.Bad, ImportRow{Line: line, Why: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		email, err := NormalizeAddress(field(rec, "email"))
		if err != nil {
			rep.Bad = append(rep.Bad, ImportRow{Line: line, Email: field(rec, "email"), Why: err.Error()})
			continue
		}
		if first, dup := seen[email]; dup {
			rep.Bad = append(rep.Bad, ImportRow{Line: line, Email: email, Why: fmt.Sprintf("duplicate of line %d", first)})
			continue
		}
		seen[email] = line
		rows = append(rows, importRow{line, email, field(rec, "name"), field(rec, "company"), field(rec, "phone")})
	}
}

func (s *Store) importRow(ctx context.Context, tx *sqlx.Tx, row importRow, opt ImportOptions, rep *ImportReport) error {
	hash := s.AddressHash(row.email)
	supp, err := s.suppressionsFor(ctx, tx, hash, opt.Purpose)
	if err != nil {
		return err
	}
	if len(supp) > 0 {
		rep.Refused = append(rep.Refused, ImportRow{Line: row.line, Email: row.email, Why: "suppressed (" + supp[0].Reason + ")"})
		return nil
	}
	if erased, err := s.erasedBefore(ctx, tx, hash); err != nil || erased {
		if erased {
			rep.Refused = append(rep.Refused, ImportRow{Line: row.line, Email: row.email, Why: "erased"})
		}
		return err
	}
	c, created, err := s.Capture(ctx, tx, CaptureInput{Email: row.email, Name: row.name, Company: row.company, Phone: row.phone,
		Source: opt.Source, Actor: opt.Actor, Reason: opt.Reason})
	if err != nil {
		return err
	}
	if created {
		rep.Added++
	} else {
		rep.Updated++
	}
	bases, err := s.Bases(ctx, tx, c)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(bases, func(b Basis) bool { return b.Active && b.Purpose == opt.Purpose && b.Kind == opt.Kind }) {
		return nil
	}
	_, err = s.Grant(ctx, tx, GrantInput{ContactID: c.ID, Purpose: opt.Purpose, Kind: opt.Kind, Source: opt.Source,
		Reason: opt.Reason, Actor: opt.Actor})
	return err
}
