package crm

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// FollowUpPurpose is the 1:1 follow-up of an inquiry; every other purpose is
// treated as direct marketing for objections without a purpose.
const FollowUpPurpose = "inquiry_followup"

// MarketingPurposes are the configured purposes other than inquiry follow-up.
func (s *Store) MarketingPurposes() []string {
	var out []string
	for _, p := range s.PurposeNames() {
		if p != FollowUpPurpose {
			out = append(out, p)
		}
	}
	return out
}

// ObjectionInput is an objection or unsubscribe to record.
type ObjectionInput struct {
	Email string
	// Purpose is the purpose objected to; "" every marketing purpose
	// (Art. 21(2)); AllPurposes every purpose, the follow-up of an inquiry
	// under legitimate interest too (Art. 21(1)).
	Purpose string
	// Unsubscribe is true for an unsubscribe link or mail, false for an
	// objection recorded by staff or received otherwise.
	Unsubscribe bool
	Reason      string
	Actor       Actor
}

// Object records an objection or unsubscribe (Art. 21) for purpose, for
// all marketing purposes when purpose is "", or for every purpose when it
// is AllPurposes: the address is suppressed
// at once and for good, and matching bases and consents are withdrawn. It
// works for an address that is not (or no longer) a contact too.
func (s *Store) Object(ctx context.Context, tx *sqlx.Tx, in ObjectionInput) error {
	purpose, reason, actor := in.Purpose, in.Reason, in.Actor
	norm, err := NormalizeAddress(in.Email)
	if err != nil {
		return fmt.Errorf("crm: object: %w", err)
	}
	purposes := s.MarketingPurposes()
	suppressed := purposes // the suppressions' purposes; '*' covers every purpose, later ones too
	switch {
	case purpose == AllPurposes:
		purposes, suppressed = s.PurposeNames(), []string{AllPurposes}
	case purpose != "":
		if err := s.CheckPurposeKind(purpose, ""); err != nil {
			return fmt.Errorf("crm: object: %w", err)
		}
		purposes, suppressed = []string{purpose}, []string{purpose}
	}
	kind := "objection"
	if in.Unsubscribe {
		kind = "unsubscribe"
	}
	if reason == "" {
		reason = kind
	}
	var contactID int64
	c, err := s.contactBy(ctx, tx, "email", norm)
	switch {
	case err == nil:
		contactID = c.ID
	case !errors.Is(err, ErrNotFound):
		return err
	}
	for _, p := range suppressed {
		if err := s.suppressHash(ctx, tx, s.AddressHash(norm), p, kind, contactID, actor); err != nil {
			return err
		}
	}
	if contactID == 0 {
		return nil
	}
	if _, err := s.WithdrawBases(ctx, tx, contactID, purposes, kind+": "+reason, actor); err != nil {
		return err
	}
	if err := s.withdrawConsents(ctx, tx, contactID, purposes, kind+": "+reason); err != nil {
		return err
	}
	return s.audit(ctx, tx, actor, "contact.objected", contactID, map[string]any{"purposes": suppressed, "via": kind, "reason": reason})
}

// ObjectTx is Object in its own transaction.
func (s *Store) ObjectTx(ctx context.Context, in ObjectionInput) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error { return s.Object(ctx, tx, in) })
}
