package crm

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// FulfilInput is what fulfilling a request needs beyond the request itself.
type FulfilInput struct {
	// Export receives the ZIP of an access or portability request.
	Export io.Writer
	// Reason is required for an erasure; it goes on the record.
	Reason string
	// Outcome says what was done for a rectification or restriction (Basis
	// cannot do those by itself); it is optional for the other kinds.
	Outcome string
	Actor   Actor
}

// FulfilRequest does what the request asks and records its completion:
// access and portability write the export to in.Export, erasure erases the
// contact (keeping evidence under legal hold), objection suppresses the
// address for every marketing purpose, rectification and restriction record
// in.Outcome. A request from an address Basis holds no contact for is
// answered with "no personal data held" (an objection still suppresses it).
func (s *Store) FulfilRequest(ctx context.Context, id int64, in FulfilInput) (Request, error) {
	r, err := s.GetRequest(ctx, s.db, id)
	if err != nil {
		return Request{}, err
	}
	if r.Status != "open" {
		return r, fmt.Errorf("crm: request %d was already %s: %w", id, r.Status, ErrInvalidInput)
	}
	outcome := strings.TrimSpace(in.Outcome)
	switch r.Kind {
	case "access", "portability":
		if r.Email != "" && in.Export == nil {
			return r, fmt.Errorf("crm: fulfil %s request %d: no output for the export (pass -o FILE.zip): %w", r.Kind, id, ErrInvalidInput)
		}
	case "erasure":
		if strings.TrimSpace(in.Reason) == "" {
			return r, fmt.Errorf("crm: fulfil erasure request %d: a reason is required (e.g. \"Art. 17 request received %s\"): %w",
				id, r.ReceivedOn.Format(time.DateOnly), ErrInvalidInput)
		}
	case "rectification", "restriction":
		if outcome == "" {
			return r, fmt.Errorf("crm: fulfil %s request %d: say what was done (--outcome TEXT): %w", r.Kind, id, ErrInvalidInput)
		}
	}
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.lockRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case (r.Kind == "access" || r.Kind == "portability") && r.Email != "":
			// Exported while the request is locked: a second fulfilment at
			// the same moment waits, then finds it closed, and produces none.
			if in.Export == nil {
				return fmt.Errorf("crm: fulfil %s request %d: no output for the export (pass -o FILE.zip): %w", r.Kind, id, ErrInvalidInput)
			}
			if err := s.Export(ctx, r.Email, in.Export, in.Actor); err != nil {
				return err
			}
			outcome = joinOutcome("export of all data produced (contact.json, evidence files, manifest.json)", outcome)
		case r.Kind == "erasure" && r.ContactID != nil && r.Email != "":
			c, err := s.GetContact(ctx, tx, *r.ContactID)
			if err != nil {
				return err
			}
			if err := refuseNamed("reason", in.Reason, c); err != nil {
				return err
			}
			if err := refuseNamed("outcome", outcome, c); err != nil {
				return err
			}
			if err := s.eraseTx(ctx, tx, c, in.Reason, in.Actor, map[string]any{"request_id": id}); err != nil {
				return err
			}
			outcome = joinOutcome("contact erased: "+in.Reason, outcome)
		case r.Kind == "objection":
			if err := s.objectRequest(ctx, tx, r, in.Actor); err != nil {
				return err
			}
			outcome = joinOutcome("address suppressed for every marketing purpose", outcome)
		}
		if outcome == "" {
			outcome = "no personal data held about this address"
		}
		return s.completeRequest(ctx, tx, r, "fulfilled", outcome, in.Actor)
	})
	if err != nil {
		return Request{}, err
	}
	return s.GetRequest(ctx, s.db, id)
}

// objectRequest records an objection to every marketing purpose: through
// Object for a contact, by the stored address hash otherwise.
func (s *Store) objectRequest(ctx context.Context, tx *sqlx.Tx, r Request, actor Actor) error {
	reason := fmt.Sprintf("request %d received %s", r.ID, r.ReceivedOn.Format(time.DateOnly))
	if r.Email != "" {
		return s.Object(ctx, tx, ObjectionInput{Email: r.Email, Reason: reason, Actor: actor})
	}
	var hash []byte
	if err := tx.GetContext(ctx, &hash, `SELECT address_hash FROM rights_requests WHERE id = $1`, r.ID); err != nil {
		return fmt.Errorf("crm: objection request %d: %w", r.ID, err)
	}
	for _, p := range s.MarketingPurposes() {
		if err := s.suppressHash(ctx, tx, hash, p, "objection", 0, actor); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) completeRequest(ctx context.Context, tx *sqlx.Tx, r Request, status, outcome string, actor Actor) error {
	if _, err := tx.ExecContext(ctx, `UPDATE rights_requests SET status = $2, outcome = $3, completed_at = $4, completed_by = $5
		WHERE id = $1`, r.ID, status, outcome, s.clock(), actor); err != nil {
		return fmt.Errorf("crm: complete request %d: %w", r.ID, err)
	}
	today := civilDate(s.clock())
	return s.audit(ctx, tx, actor, "request."+status, requestContact(r.ContactID), map[string]any{
		"request_id": r.ID, "kind": r.Kind, "outcome": outcome, "due_on": r.DueOn.Format(time.DateOnly),
		"on_time": !today.After(r.DueOn),
	})
}

func joinOutcome(done, note string) string {
	if note == "" {
		return done
	}
	return done + "; " + note
}
