package crm

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Double opt-in errors, each shown to the person as its own clear page.
var (
	ErrTokenUnknown = errors.New("this confirmation link is not known")
	ErrTokenExpired = errors.New("this confirmation link has expired")
	ErrTokenUsed    = errors.New("this confirmation link was already used")
	// ErrRequestOpen reports a request still waiting for the person: at most
	// one open request per contact and purpose.
	ErrRequestOpen = errors.New("a consent request for this purpose is already waiting for confirmation")
	// ErrRequestRate reports too many requests to one address recently.
	ErrRequestRate = errors.New("too many consent requests to this address recently")
)

// ConsentRequest is a double opt-in request: a link with a token of 256
// random bits, stored only as its SHA-256, single use, expiring.
type ConsentRequest struct {
	ID        int64      `db:"id" json:"id"`
	ContactID int64      `db:"contact_id" json:"contact_id"`
	Purpose   string     `db:"purpose" json:"purpose"`
	TextID    int64      `db:"text_id" json:"text_id"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	ExpiresAt time.Time  `db:"expires_at" json:"expires_at"`
	UsedAt    *time.Time `db:"used_at" json:"used_at,omitempty"`
	ConsentID *int64     `db:"consent_id" json:"consent_id,omitempty"`
}

// maxRequestsPerDay bounds consent requests to one address, so nobody can
// flood a third person's inbox through Basis.
const maxRequestsPerDay = 3

// RequestConsent opens a double opt-in request for a contact and purpose and
// returns it with the clear token for the link (never stored).
func (s *Store) RequestConsent(ctx context.Context, tx *sqlx.Tx, contactID, textID int64, ttl time.Duration, actor Actor) (ConsentRequest, string, error) {
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE`, contactID); err != nil {
		return ConsentRequest{}, "", fmt.Errorf("crm: consent request: lock contact %d: %w", contactID, err)
	}
	var text ConsentText
	if err := tx.GetContext(ctx, &text, `SELECT id, purpose, language, version, body, encode(sha256, 'hex') AS sha256
		FROM consent_texts WHERE id = $1`, textID); err != nil {
		return ConsentRequest{}, "", fmt.Errorf("crm: consent request: text %d: %w", textID, err)
	}
	now := s.clock()
	var open, recent int
	if err := tx.GetContext(ctx, &open, `SELECT count(*) FROM consent_requests
		WHERE contact_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3`, contactID, text.Purpose, now); err != nil {
		return ConsentRequest{}, "", fmt.Errorf("crm: consent request: %w", err)
	}
	if open > 0 {
		return ConsentRequest{}, "", fmt.Errorf("crm: contact %d, %s: %w", contactID, text.Purpose, ErrRequestOpen)
	}
	if err := tx.GetContext(ctx, &recent, `SELECT count(*) FROM consent_requests WHERE contact_id = $1 AND created_at > $2`,
		contactID, now.Add(-24*time.Hour)); err != nil {
		return ConsentRequest{}, "", fmt.Errorf("crm: consent request: %w", err)
	}
	if recent >= maxRequestsPerDay {
		return ConsentRequest{}, "", fmt.Errorf("crm: contact %d: %w (at most %d a day)", contactID, ErrRequestRate, maxRequestsPerDay)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	token := base64.RawURLEncoding.EncodeToString(secret)
	sum := sha256.Sum256([]byte(token))
	var r ConsentRequest
	err := tx.GetContext(ctx, &r, `INSERT INTO consent_requests (contact_id, purpose, text_id, token_hash, created_at, expires_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id, contact_id, purpose, text_id, created_at, expires_at, used_at, consent_id`,
		contactID, text.Purpose, text.ID, sum[:], now, now.Add(ttl), actor)
	if err != nil {
		return ConsentRequest{}, "", fmt.Errorf("crm: consent request: %w", err)
	}
	return r, token, s.audit(ctx, tx, actor, "consent.requested", contactID, map[string]any{
		"request_id": r.ID, "purpose": r.Purpose, "text_version": text.Version, "text_sha256": text.SHA256, "expires_at": r.ExpiresAt,
	})
}

// LookupConsentRequest returns the open request behind token with its text,
// for the confirmation page (which must change nothing on GET).
func (s *Store) LookupConsentRequest(ctx context.Context, token string) (ConsentRequest, ConsentText, Contact, error) {
	return s.lookupRequest(ctx, s.db, token, false)
}

func (s *Store) lookupRequest(ctx context.Context, q sqlx.QueryerContext, token string, lock bool) (ConsentRequest, ConsentText, Contact, error) {
	sum := sha256.Sum256([]byte(token))
	sel := `SELECT id, contact_id, purpose, text_id, created_at, expires_at, used_at, consent_id FROM consent_requests WHERE token_hash = $1`
	if lock {
		sel += ` FOR UPDATE`
	}
	var r ConsentRequest
	var text ConsentText
	err := sqlx.GetContext(ctx, q, &r, sel, sum[:])
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return r, text, Contact{}, ErrTokenUnknown
	case err != nil:
		return r, text, Contact{}, fmt.Errorf("crm: consent request: %w", err)
	}
	if err := sqlx.GetContext(ctx, q, &text, `SELECT id, purpose, language, version, body, encode(sha256, 'hex') AS sha256
		FROM consent_texts WHERE id = $1`, r.TextID); err != nil {
		return r, text, Contact{}, fmt.Errorf("crm: consent request text: %w", err)
	}
	c, err := s.GetContact(ctx, q, r.ContactID)
	if err != nil {
		return r, text, c, err
	}
	switch {
	case r.UsedAt != nil:
		return r, text, c, ErrTokenUsed
	case c.ErasedAt != nil:
		return r, text, c, ErrTokenUnknown
	case !r.ExpiresAt.After(s.clock()):
		return r, text, c, ErrTokenExpired
	}
	return r, text, c, nil
}

// ConfirmConsent records the consent a POST to the confirmation page gives:
// time, IP, user agent, the exact text version and hash, and the request.
func (s *Store) ConfirmConsent(ctx context.Context, token, ip, userAgent string) (Consent, error) {
	var consent Consent
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		r, _, c, err := s.lookupRequest(ctx, tx, token, true)
		if err != nil {
			return err
		}
		consent, err = s.RecordConsent(ctx, tx, ConsentInput{ContactID: c.ID, TextID: r.TextID, Method: "double_opt_in",
			RequestedAt: &r.CreatedAt, IP: ip, UserAgent: userAgent, RequestID: r.ID, Actor: "public:confirm-page"})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE consent_requests SET used_at = $2, consent_id = $3 WHERE id = $1`, r.ID, s.clock(), consent.ID)
		if err != nil {
			return fmt.Errorf("crm: close consent request %d: %w", r.ID, err)
		}
		return nil
	})
	return consent, err
}
