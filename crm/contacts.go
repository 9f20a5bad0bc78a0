package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// Statuses a contact moves through.
var Statuses = []string{"new", "reviewed", "qualified", "customer", "rejected"}

// ErrNotFound reports a contact (or other record) that does not exist.
var ErrNotFound = errors.New("not found")

// Contact is a person Basis holds data about.
type Contact struct {
	ID               int64      `db:"id" json:"id"`
	Email            string     `db:"email" json:"email"`
	Name             string     `db:"name" json:"name"`
	Company          string     `db:"company" json:"company"`
	Phone            string     `db:"phone" json:"phone"`
	Language         string     `db:"language" json:"language"`
	Status           string     `db:"status" json:"status"`
	Source           string     `db:"source" json:"source"`
	PreviouslyErased bool       `db:"previously_erased" json:"previously_erased"`
	CreatedAt        time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt        time.Time  `db:"updated_at" json:"updated_at"`
	LastActivityAt   time.Time  `db:"last_activity_at" json:"last_activity_at"`
	ErasedAt         *time.Time `db:"erased_at" json:"erased_at,omitempty"`
}

const contactColumns = `id, COALESCE(email, '') AS email, name, company, phone, language, status, source,
	previously_erased, created_at, updated_at, last_activity_at, erased_at`

// CaptureInput describes a person to record as a contact.
type CaptureInput struct {
	Email, Name, Company, Phone, Language string
	Source                                string
	Actor                                 Actor
	Reason                                string
	// AfterErasure allows capturing an address that was erased before: the
	// person contacted us again after the erasure. Import and manual add
	// leave it false and are refused.
	AfterErasure bool
}

// Capture records a prospect for in.Email, or returns the existing contact
// with blank fields filled in. It is safe to call concurrently for one
// address: both callers get the same contact and one "contact.created" event.
func (s *Store) Capture(ctx context.Context, tx *sqlx.Tx, in CaptureInput) (Contact, bool, error) {
	in, err := captureFields(in)
	if err != nil {
		return Contact{}, false, err
	}
	email := in.Email
	hash := s.AddressHash(email)
	erased, err := s.erasedBefore(ctx, tx, hash)
	if err != nil {
		return Contact{}, false, err
	}
	if erased && !in.AfterErasure {
		return Contact{}, false, fmt.Errorf("crm: capture %s: %w", email, ErrErased)
	}
	const insert = `
		INSERT INTO contacts (email, address_hash, name, company, phone, language, source, previously_erased, created_at, updated_at, last_activity_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)
		ON CONFLICT (email) DO NOTHING
		RETURNING ` + contactColumns
	var c Contact
	err = tx.GetContext(ctx, &c, insert, email, hash, in.Name, in.Company, in.Phone, in.Language, in.Source, erased, s.clock())
	if err == nil {
		if err := s.audit(ctx, tx, in.Actor, "contact.created", c.ID, map[string]any{
			"email": c.Email, "name": c.Name, "company": c.Company, "phone": c.Phone, "source": c.Source,
			"previously_erased": erased, "reason": in.Reason,
		}); err != nil {
			return Contact{}, false, err
		}
		for _, hook := range s.onCapture {
			if err := hook(ctx, tx, c); err != nil {
				return Contact{}, false, fmt.Errorf("crm: capture %s: %w", email, err)
			}
		}
		return c, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Contact{}, false, fmt.Errorf("crm: capture %s: %w", email, err)
	}
	c, err = s.fillBlanks(ctx, tx, email, in)
	return c, false, err
}

// captureFields checks in as both Capture paths (Store and InboundBatch)
// do and completes it: Email normalized, Source one of Sources, Company
// taken from the address's domain when blank.
func captureFields(in CaptureInput) (CaptureInput, error) {
	email, err := NormalizeAddress(in.Email)
	if err != nil {
		return in, fmt.Errorf("crm: capture: %w", err)
	}
	if !slices.Contains(Sources, in.Source) {
		return in, fmt.Errorf("crm: capture %s: source %q is not one of %v", email, in.Source, Sources)
	}
	in.Email = email
	if in.Company == "" {
		in.Company = CompanyFromDomain(domainOf(email))
	}
	return in, nil
}

// fillBlanks completes an existing contact with details it lacked.
func (s *Store) fillBlanks(ctx context.Context, tx *sqlx.Tx, email string, in CaptureInput) (Contact, error) {
	const q = `
		UPDATE contacts SET
			name = CASE WHEN name = '' THEN $2 ELSE name END,
			company = CASE WHEN company = '' THEN $3 ELSE company END,
			phone = CASE WHEN phone = '' THEN $4 ELSE phone END,
			language = CASE WHEN language = '' THEN $5 ELSE language END,
			updated_at = $6
		WHERE email = $1 AND ((name = '' AND $2 <> '') OR (company = '' AND $3 <> '') OR (phone = '' AND $4 <> '') OR (language = '' AND $5 <> ''))
		RETURNING ` + contactColumns
	var c Contact
	err := tx.GetContext(ctx, &c, q, email, in.Name, in.Company, in.Phone, in.Language, s.clock())
	if errors.Is(err, sql.ErrNoRows) {
		return s.contactBy(ctx, tx, "email", email)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("crm: update %s: %w", email, err)
	}
	return c, s.audit(ctx, tx, in.Actor, "contact.updated", c.ID, map[string]any{
		"name": c.Name, "company": c.Company, "phone": c.Phone, "language": c.Language, "reason": in.Reason,
	})
}

// FindContact returns the contact with the given address.
func (s *Store) FindContact(ctx context.Context, q sqlx.QueryerContext, email string) (Contact, error) {
	norm, err := NormalizeAddress(email)
	if err != nil {
		return Contact{}, fmt.Errorf("crm: find: %w", err)
	}
	return s.contactBy(ctx, q, "email", norm)
}

// GetContact returns the contact with the given id.
func (s *Store) GetContact(ctx context.Context, q sqlx.QueryerContext, id int64) (Contact, error) {
	return s.contactBy(ctx, q, "id", id)
}

func (s *Store) contactBy(ctx context.Context, q sqlx.QueryerContext, column string, v any) (Contact, error) {
	var c Contact
	err := sqlx.GetContext(ctx, q, &c, `SELECT `+contactColumns+` FROM contacts WHERE `+column+` = $1`, v)
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, fmt.Errorf("crm: contact %v: %w", v, ErrNotFound)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("crm: contact %v: %w", v, err)
	}
	return c, nil
}

// ListFilter narrows ListContacts.
type ListFilter struct {
	Status string
	Limit  int
	Offset int
}

// ListContacts returns contacts, newest first, without erased ones.
func (s *Store) ListContacts(ctx context.Context, f ListFilter) ([]Contact, error) {
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	const q = `SELECT ` + contactColumns + ` FROM contacts
		WHERE erased_at IS NULL AND ($1 = '' OR status = $1)
		ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`
	out := []Contact{}
	if err := s.db.SelectContext(ctx, &out, q, f.Status, f.Limit, f.Offset); err != nil {
		return nil, fmt.Errorf("crm: list contacts: %w", err)
	}
	return out, nil
}

// SetStatus moves a contact to a new status, with the reason on the record.
func (s *Store) SetStatus(ctx context.Context, tx *sqlx.Tx, id int64, status, reason string, actor Actor) error {
	if !slices.Contains(Statuses, status) {
		return fmt.Errorf("crm: status %q is not one of %v", status, Statuses)
	}
	res, err := tx.ExecContext(ctx, `UPDATE contacts SET status = $2, updated_at = $3 WHERE id = $1 AND erased_at IS NULL`, id, status, s.clock())
	if err != nil {
		return fmt.Errorf("crm: set status of %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("crm: set status of contact %d: %w", id, ErrNotFound)
	}
	return s.audit(ctx, tx, actor, "contact.status", id, map[string]any{"status": status, "reason": reason})
}
