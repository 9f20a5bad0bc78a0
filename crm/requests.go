package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// RequestKinds are the rights a data subject can exercise through Basis.
var RequestKinds = []string{"access", "erasure", "objection", "rectification", "portability", "restriction"}

// RequestChannels are the ways a request reaches the controller.
var RequestChannels = []string{"email", "letter", "phone", "web", "in_person", "other"}

// MaxExtensionMonths is the longest extension Art. 12(3) allows.
const MaxExtensionMonths = 2

// Request is a data subject request (Art. 15-21) and its deadline.
type Request struct {
	ID               int64      `db:"id" json:"id"`
	ContactID        *int64     `db:"contact_id" json:"contact_id,omitempty"`
	Email            string     `db:"email" json:"email"` // "" when no contact is held or it was erased
	Kind             string     `db:"kind" json:"kind"`
	Channel          string     `db:"channel" json:"channel"`
	ReceivedOn       time.Time  `db:"received_on" json:"received_on"`
	DueOn            time.Time  `db:"due_on" json:"due_on"`
	ExtendedMonths   int        `db:"extended_months" json:"extended_months"`
	ExtensionReason  string     `db:"extension_reason" json:"extension_reason,omitempty"`
	InboundMessageID *int64     `db:"inbound_message_id" json:"inbound_message_id,omitempty"`
	Note             string     `db:"note" json:"note,omitempty"`
	Status           string     `db:"status" json:"status"`
	Outcome          string     `db:"outcome" json:"outcome,omitempty"`
	CompletedAt      *time.Time `db:"completed_at" json:"completed_at,omitempty"`
	CompletedBy      Actor      `db:"completed_by" json:"completed_by,omitempty"`
	CreatedAt        time.Time  `db:"created_at" json:"created_at"`
	CreatedBy        Actor      `db:"created_by" json:"created_by"`
}

// Late reports whether an open request is past its deadline on day today.
func (r Request) Late(today time.Time) bool {
	return r.Status == "open" && civilDate(today).After(r.DueOn)
}

// A request is about the contact it was linked to when it was recorded, or,
// when Basis held nobody under that address then, about the contact who has
// it now (the person wrote before becoming a contact): found by the address
// hash the request keeps, through a merge to the contact that remains.
const requestColumns = `r.id, COALESCE(r.contact_id, h.id) AS contact_id, COALESCE(c.email, h.email, '') AS email, r.kind, r.channel, r.received_on, r.due_on,
	r.extended_months, r.extension_reason, r.inbound_message_id, r.note, r.status, r.outcome, r.completed_at,
	r.completed_by, r.created_at, r.created_by`

const requestFrom = ` FROM rights_requests r LEFT JOIN contacts c ON c.id = r.contact_id
	LEFT JOIN LATERAL (SELECT t.id, t.email FROM contacts m JOIN contacts t ON t.id = COALESCE(m.merged_into, m.id)
		WHERE r.contact_id IS NULL AND m.address_hash = r.address_hash AND t.erased_at IS NULL ORDER BY m.id LIMIT 1) h ON true `

// RequestInput is a request to record.
type RequestInput struct {
	Email            string
	Kind             string
	Channel          string
	Received         time.Time // zero: today
	InboundMessageID int64     // the stored message the request came in, if by email
	Note             string
	Actor            Actor
}

// AddRequest records a request and its deadline. The requester need not be
// a contact: a stranger may ask what we hold (the answer is "nothing"), and
// only the keyed hash of the address is kept then.
func (s *Store) AddRequest(ctx context.Context, in RequestInput) (Request, error) {
	if !slices.Contains(RequestKinds, in.Kind) {
		return Request{}, fmt.Errorf("crm: request kind %q is not one of %s: %w", in.Kind, strings.Join(RequestKinds, ", "), ErrInvalidInput)
	}
	if !slices.Contains(RequestChannels, in.Channel) {
		return Request{}, fmt.Errorf("crm: request channel %q is not one of %s: %w", in.Channel, strings.Join(RequestChannels, ", "), ErrInvalidInput)
	}
	email, err := NormalizeAddress(in.Email)
	if err != nil {
		return Request{}, fmt.Errorf("crm: request: %w", err)
	}
	received := civilDate(in.Received)
	if in.Received.IsZero() {
		received = civilDate(s.clock())
	}
	if received.After(civilDate(s.clock())) {
		return Request{}, fmt.Errorf("crm: request received %s is in the future: %w", received.Format(time.DateOnly), ErrInvalidInput)
	}
	var id int64
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		var contactID int64
		switch c, err := s.contactBy(ctx, tx, "email", email); {
		case err == nil:
			contactID = c.ID
		case !errors.Is(err, ErrNotFound):
			return err
		}
		if err := s.checkInboundMessage(ctx, tx, in.InboundMessageID); err != nil {
			return err
		}
		const q = `INSERT INTO rights_requests (contact_id, address_hash, kind, channel, received_on, due_on,
				inbound_message_id, note, created_at, created_by)
			VALUES (NULLIF($1, 0), $2, $3, $4, $5, $6, NULLIF($7, 0), $8, $9, $10) RETURNING id`
		due := DueDate(received, 1)
		if err := tx.GetContext(ctx, &id, q, contactID, s.AddressHash(email), in.Kind, in.Channel, received, due,
			in.InboundMessageID, in.Note, s.clock(), in.Actor); err != nil {
			return fmt.Errorf("crm: record request: %w", err)
		}
		return s.audit(ctx, tx, in.Actor, "request.received", contactID, map[string]any{
			"request_id": id, "kind": in.Kind, "channel": in.Channel, "received_on": received.Format(time.DateOnly),
			"due_on": due.Format(time.DateOnly), "inbound_message_id": in.InboundMessageID, "known_contact": contactID != 0,
		})
	})
	if err != nil {
		return Request{}, err
	}
	return s.GetRequest(ctx, s.db, id)
}

func (s *Store) checkInboundMessage(ctx context.Context, q sqlx.QueryerContext, id int64) error {
	if id == 0 {
		return nil
	}
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM inbound_messages WHERE id = $1`, id); err != nil {
		return fmt.Errorf("crm: inbound message %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("crm: inbound message %d (see the review queue or `basis contacts show` for message ids): %w", id, ErrNotFound)
	}
	return nil
}

// GetRequest returns one request.
func (s *Store) GetRequest(ctx context.Context, q sqlx.QueryerContext, id int64) (Request, error) {
	var r Request
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, fmt.Errorf("crm: request %d (see `basis requests list`): %w", id, ErrNotFound)
	}
	if err != nil {
		return Request{}, fmt.Errorf("crm: request %d: %w", id, err)
	}
	return r, nil
}

// ExtendRequest extends a request's deadline by months further months (Art.
// 12(3): at most two in all, for complex or numerous requests), counting
// from the day of receipt. The person must be told, with the reasons, within
// the first month, so an extension after the original deadline is refused.
func (s *Store) ExtendRequest(ctx context.Context, id int64, months int, reason string, actor Actor) (Request, error) {
	if strings.TrimSpace(reason) == "" {
		return Request{}, fmt.Errorf("crm: extend request %d: a reason is required (Art. 12(3)): %w", id, ErrInvalidInput)
	}
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.lockRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		total := r.ExtendedMonths + months
		switch {
		case months < 1 || total > MaxExtensionMonths:
			return fmt.Errorf("crm: extend request %d: %d more months would make %d; Art. 12(3) allows at most %d: %w",
				id, months, total, MaxExtensionMonths, ErrInvalidInput)
		case civilDate(s.clock()).After(DueDate(r.ReceivedOn, 1)):
			return fmt.Errorf("crm: extend request %d: the first month ended on %s; an extension must be decided and told within it (Art. 12(3)): %w",
				id, DueDate(r.ReceivedOn, 1).Format(time.DateOnly), ErrInvalidInput)
		}
		due := DueDate(r.ReceivedOn, 1+total)
		if _, err := tx.ExecContext(ctx, `UPDATE rights_requests SET extended_months = $2, due_on = $3,
			extension_reason = CASE WHEN extension_reason = '' THEN $4 ELSE extension_reason || '; ' || $4 END WHERE id = $1`,
			id, total, due, reason); err != nil {
			return fmt.Errorf("crm: extend request %d: %w", id, err)
		}
		return s.audit(ctx, tx, actor, "request.extended", requestContact(r.ContactID), map[string]any{
			"request_id": id, "months": months, "extended_months": total, "due_on": due.Format(time.DateOnly), "reason": reason,
		})
	})
	if err != nil {
		return Request{}, err
	}
	return s.GetRequest(ctx, s.db, id)
}

func (s *Store) lockRequest(ctx context.Context, tx *sqlx.Tx, id int64) (Request, error) {
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM rights_requests WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Request{}, fmt.Errorf("crm: lock request %d: %w", id, err)
	}
	r, err := s.GetRequest(ctx, tx, id)
	if err == nil && r.Status != "open" {
		return r, fmt.Errorf("crm: request %d was already %s on %s: %w", id, r.Status, r.CompletedAt.Format(time.DateOnly), ErrInvalidInput)
	}
	if err == nil && r.ContactID != nil { // keep the contact found by address from now on
		if _, err := tx.ExecContext(ctx, `UPDATE rights_requests SET contact_id = $2 WHERE id = $1 AND contact_id IS NULL`, id, *r.ContactID); err != nil {
			return r, fmt.Errorf("crm: link request %d to contact %d: %w", id, *r.ContactID, err)
		}
	}
	return r, err
}

// RequestFilter narrows ListRequests.
type RequestFilter struct {
	// DueWithin keeps open requests due within this long from today, and late
	// ones; 0 keeps every open request.
	DueWithin time.Duration
	// All includes fulfilled and refused requests too.
	All bool
}

// ListRequests returns requests, the most urgent first.
func (s *Store) ListRequests(ctx context.Context, f RequestFilter) ([]Request, error) {
	limit := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	if f.DueWithin > 0 {
		limit = civilDate(s.clock().Add(f.DueWithin))
	}
	q := `SELECT ` + requestColumns + requestFrom + `WHERE ($1 OR r.status = 'open') AND ($1 OR r.due_on <= $2)
		ORDER BY r.status = 'open' DESC, r.due_on, r.id`
	out := []Request{}
	if err := s.db.SelectContext(ctx, &out, q, f.All, limit); err != nil {
		return nil, fmt.Errorf("crm: list requests: %w", err)
	}
	return out, nil
}

// DueRequests returns the open requests due within the given time from today
// or already late, for the dashboard.
func (s *Store) DueRequests(ctx context.Context, within time.Duration) ([]Request, error) {
	if within <= 0 {
		within = time.Nanosecond
	}
	return s.ListRequests(ctx, RequestFilter{DueWithin: within})
}

func requestContact(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
