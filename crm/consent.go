package crm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ConsentText is one version of the text a person agrees to, stored once and
// identified by its SHA-256.
type ConsentText struct {
	ID       int64  `db:"id" json:"id"`
	Purpose  string `db:"purpose" json:"purpose"`
	Language string `db:"language" json:"language"`
	Version  string `db:"version" json:"version"`
	Body     string `db:"body" json:"body"`
	SHA256   string `db:"sha256" json:"sha256"`
}

// Consent records who agreed to which text, when and how (Art. 7(1)), and
// its withdrawal (Art. 7(3)).
type Consent struct {
	ID              int64      `db:"id" json:"id"`
	ContactID       int64      `db:"contact_id" json:"contact_id"`
	Purpose         string     `db:"purpose" json:"purpose"`
	TextID          int64      `db:"text_id" json:"text_id"`
	TextVersion     string     `db:"text_version" json:"text_version"`
	TextSHA256      string     `db:"text_sha256" json:"text_sha256"`
	Method          string     `db:"method" json:"method"`
	RequestedAt     *time.Time `db:"requested_at" json:"requested_at,omitempty"`
	ConfirmedAt     time.Time  `db:"confirmed_at" json:"confirmed_at"`
	IP              string     `db:"ip" json:"ip,omitempty"`
	UserAgent       string     `db:"user_agent" json:"user_agent,omitempty"`
	RequestID       *int64     `db:"request_id" json:"request_id,omitempty"`
	WithdrawnAt     *time.Time `db:"withdrawn_at" json:"withdrawn_at,omitempty"`
	WithdrawnReason string     `db:"withdrawn_reason" json:"withdrawn_reason,omitempty"`
}

// StoreConsentText returns the stored version of body, inserting it the
// first time it is seen.
func (s *Store) StoreConsentText(ctx context.Context, tx *sqlx.Tx, purpose, language, version, body string) (ConsentText, error) {
	sum := sha256.Sum256([]byte(purpose + "\x00" + language + "\x00" + version + "\x00" + body))
	const q = `
		WITH ins AS (
			INSERT INTO consent_texts (purpose, language, version, body, sha256) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (sha256) DO NOTHING RETURNING id, purpose, language, version, body, sha256)
		SELECT id, purpose, language, version, body, encode(sha256, 'hex') AS sha256 FROM ins
		UNION ALL
		SELECT id, purpose, language, version, body, encode(sha256, 'hex') FROM consent_texts WHERE sha256 = $5
		LIMIT 1`
	var t ConsentText
	if err := tx.GetContext(ctx, &t, q, purpose, language, version, body, sum[:]); err != nil {
		return ConsentText{}, fmt.Errorf("crm: consent text %s/%s/%s: %w", purpose, language, version, err)
	}
	return t, nil
}

// ConsentInput is a confirmed consent to record.
type ConsentInput struct {
	ContactID   int64
	TextID      int64
	Method      string // double_opt_in, web_form, written, verbal
	RequestedAt *time.Time
	IP          string
	UserAgent   string
	RequestID   int64
	Actor       Actor
}

// RecordConsent stores a confirmed consent, keeps a consent record as
// evidence, and grants the matching consent basis.
func (s *Store) RecordConsent(ctx context.Context, tx *sqlx.Tx, in ConsentInput) (Consent, error) {
	var text ConsentText
	if err := tx.GetContext(ctx, &text, `SELECT id, purpose, language, version, body, encode(sha256, 'hex') AS sha256
		FROM consent_texts WHERE id = $1`, in.TextID); err != nil {
		return Consent{}, fmt.Errorf("crm: consent text %d: %w", in.TextID, err)
	}
	now := s.clock()
	const q = `
		INSERT INTO consents (contact_id, purpose, text_id, method, requested_at, confirmed_at, ip, user_agent, request_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, 0), $6)
		RETURNING id`
	var id int64
	if err := tx.GetContext(ctx, &id, q, in.ContactID, text.Purpose, text.ID, in.Method, in.RequestedAt, now,
		in.IP, in.UserAgent, in.RequestID); err != nil {
		return Consent{}, fmt.Errorf("crm: record consent of contact %d: %w", in.ContactID, err)
	}
	record := map[string]any{
		"consent_id": id, "purpose": text.Purpose, "method": in.Method, "confirmed_at": now, "requested_at": in.RequestedAt,
		"ip": in.IP, "user_agent": in.UserAgent, "request_id": in.RequestID,
		"text": map[string]any{"version": text.Version, "language": text.Language, "sha256": text.SHA256, "body": text.Body},
	}
	ev, err := s.addJSONEvidence(ctx, tx, in.ContactID, "consent_record", record, in.Actor)
	if err != nil {
		return Consent{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE consents SET evidence_id = $2 WHERE id = $1`, id, ev.ID); err != nil {
		return Consent{}, fmt.Errorf("crm: link consent evidence: %w", err)
	}
	source := "manual"
	switch in.Method {
	case "double_opt_in":
		source = "double_opt_in"
	case "web_form":
		source = "web_form"
	}
	if _, err := s.Grant(ctx, tx, GrantInput{ContactID: in.ContactID, Purpose: text.Purpose, Kind: "consent", Source: source,
		EvidenceID: ev.ID, ConsentID: id, Reason: "consent confirmed (" + in.Method + ")", Actor: in.Actor}); err != nil {
		return Consent{}, err
	}
	if err := s.audit(ctx, tx, in.Actor, "consent.confirmed", in.ContactID, record); err != nil {
		return Consent{}, err
	}
	c, err := s.consents(ctx, tx, "c.id = $1", id)
	if err != nil || len(c) == 0 {
		return Consent{}, fmt.Errorf("crm: read consent %d back: %w", id, err)
	}
	return c[0], nil
}

// Consents lists a contact's consents, oldest first.
func (s *Store) Consents(ctx context.Context, q sqlx.QueryerContext, contactID int64) ([]Consent, error) {
	return s.consents(ctx, q, "c.contact_id = $1", contactID)
}

// consentSelect reads the columns of a Consent, from consents c.
const consentSelect = `SELECT c.id, c.contact_id, c.purpose, c.text_id, t.version AS text_version, encode(t.sha256, 'hex') AS text_sha256,
	c.method, c.requested_at, c.confirmed_at, c.ip, c.user_agent, c.request_id, c.withdrawn_at, c.withdrawn_reason
	FROM consents c JOIN consent_texts t ON t.id = c.text_id`

func (s *Store) consents(ctx context.Context, q sqlx.QueryerContext, where string, arg any) ([]Consent, error) {
	out := []Consent{}
	err := sqlx.SelectContext(ctx, q, &out, consentSelect+` WHERE `+where+` ORDER BY c.confirmed_at, c.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("crm: consents: %w", err)
	}
	return out, nil
}

// withdrawConsents marks a contact's consents for purposes as withdrawn.
func (s *Store) withdrawConsents(ctx context.Context, tx *sqlx.Tx, contactID int64, purposes []string, reason string) error {
	_, err := tx.ExecContext(ctx, `UPDATE consents SET withdrawn_at = $3, withdrawn_reason = $4
		WHERE contact_id = $1 AND withdrawn_at IS NULL AND purpose = ANY($2)`, contactID, pqArray(purposes), s.clock(), reason)
	if err != nil {
		return fmt.Errorf("crm: withdraw consents of contact %d: %w", contactID, err)
	}
	return nil
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
