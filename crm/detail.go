package crm

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ContactDetail is everything about one contact that `contacts show` and
// the contact page display.
type ContactDetail struct {
	Contact
	Bases       []Basis                `json:"bases"`
	Evidence    []Evidence             `json:"evidence"`
	Consents    []Consent              `json:"consents"`
	Activities  []Activity             `json:"activities"`
	Eligibility map[string]Eligibility `json:"eligibility"`
}

// Detail loads a contact with its bases, evidence, consents, activities and
// eligibility for every configured purpose, in one read-only transaction.
func (s *Store) Detail(ctx context.Context, email string) (ContactDetail, error) {
	var d ContactDetail
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return d, fmt.Errorf("crm: detail: %w", err)
	}
	defer tx.Rollback()
	if d.Contact, err = s.FindContact(ctx, tx, email); err != nil {
		return d, err
	}
	return d, s.fillDetail(ctx, tx, &d)
}

func (s *Store) fillDetail(ctx context.Context, tx *sqlx.Tx, d *ContactDetail) error {
	var err error
	if d.Bases, err = s.Bases(ctx, tx, d.Contact); err != nil {
		return err
	}
	if d.Evidence, err = s.EvidenceOf(ctx, tx, d.ID); err != nil {
		return err
	}
	if d.Consents, err = s.Consents(ctx, tx, d.ID); err != nil {
		return err
	}
	if d.Activities, err = s.Activities(ctx, tx, d.ID); err != nil {
		return err
	}
	var supp []Suppression
	if d.ErasedAt == nil {
		err := tx.SelectContext(ctx, &supp, `SELECT purpose, reason, created_at FROM suppressions WHERE address_hash = $1`, s.AddressHash(d.Email))
		if err != nil {
			return fmt.Errorf("crm: suppressions: %w", err)
		}
	}
	d.Eligibility = s.eligibilities(d.Contact, d.Bases, supp)
	return nil
}

// eligibilities decides c's eligibility for every configured purpose.
func (s *Store) eligibilities(c Contact, bases []Basis, supp []Suppression) map[string]Eligibility {
	out := make(map[string]Eligibility, len(s.policy.Purposes))
	for _, p := range s.PurposeNames() {
		out[p] = s.decide(c, p, bases, supp)
	}
	return out
}
