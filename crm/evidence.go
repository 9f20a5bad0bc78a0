package crm

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// EvidenceKinds are the kinds of immutable content Basis keeps as proof.
var EvidenceKinds = []string{"inbound_email", "forwarded_email", "business_card", "consent_record",
	"sent_message", "document", "signed_form"}

// Evidence is immutable content with its SHA-256: a raw email, a scanned
// business card, a double opt-in record, a message we sent.
type Evidence struct {
	ID          int64           `db:"id" json:"id"`
	ContactID   *int64          `db:"contact_id" json:"contact_id,omitempty"`
	Kind        string          `db:"kind" json:"kind"`
	SHA256      string          `db:"sha256" json:"sha256"`
	Size        int64           `db:"size" json:"size"`
	ContentType string          `db:"content_type" json:"content_type"`
	FileName    string          `db:"file_name" json:"file_name,omitempty"`
	Metadata    json.RawMessage `db:"metadata" json:"metadata"`
	ReceivedAt  time.Time       `db:"received_at" json:"received_at"`
	CreatedBy   Actor           `db:"created_by" json:"created_by"`
	ErasedAt    *time.Time      `db:"erased_at" json:"erased_at,omitempty"`
}

const evidenceColumns = `id, contact_id, kind, encode(sha256, 'hex') AS sha256, size, content_type, file_name,
	metadata, received_at, created_by, erased_at`

// EvidenceInput is content to keep as evidence.
type EvidenceInput struct {
	ContactID   int64 // 0: not (yet) tied to a contact
	Kind        string
	ContentType string
	FileName    string
	Content     []byte
	Metadata    map[string]any
	ReceivedAt  time.Time // zero: now
	Actor       Actor
}

// AddEvidence stores content with its SHA-256. The row can never be changed
// afterwards, only erased.
func (s *Store) AddEvidence(ctx context.Context, tx *sqlx.Tx, in EvidenceInput) (Evidence, error) {
	if err := checkEvidenceKind(in.Kind); err != nil {
		return Evidence{}, err
	}
	in, meta, err := evidenceFields(in, s.clock())
	if err != nil {
		return Evidence{}, err
	}
	sum := sha256.Sum256(in.Content)
	content, err := contentParam(ctx, tx, in.Content)
	if err != nil {
		return Evidence{}, err
	}
	q := `
		INSERT INTO evidence (contact_id, kind, sha256, content, size, content_type, file_name, metadata, received_at, created_by, created_at)
		VALUES (NULLIF($1, 0), $2, $3, ` + content + `, $5, $6, $7, $8, $9, $10, $11)
		RETURNING ` + evidenceColumns
	var e Evidence
	var contentArg any = in.Content
	if content != "$4" {
		contentArg = nil // the content was uploaded in chunks
	}
	if err := tx.GetContext(ctx, &e, q, in.ContactID, in.Kind, sum[:], contentArg, len(in.Content), in.ContentType,
		in.FileName, meta, in.ReceivedAt, in.Actor, s.clock()); err != nil {
		return Evidence{}, fmt.Errorf("crm: store evidence: %w", err)
	}
	return e, s.audit(ctx, tx, in.Actor, "evidence.added", in.ContactID, map[string]any{
		"evidence_id": e.ID, "kind": e.Kind, "sha256": e.SHA256, "size": e.Size, "content_type": e.ContentType, "file_name": e.FileName,
	})
}

// checkEvidenceKind refuses a kind not in EvidenceKinds, for both
// AddEvidence paths (Store and InboundBatch).
func checkEvidenceKind(kind string) error {
	if !slices.Contains(EvidenceKinds, kind) {
		return fmt.Errorf("crm: evidence kind %q is not one of %v: %w", kind, EvidenceKinds, ErrInvalidInput)
	}
	return nil
}

// evidenceFields completes in as both AddEvidence paths do (ContentType
// application/octet-stream and ReceivedAt now when not given) and returns
// its metadata as the JSON text to store.
func evidenceFields(in EvidenceInput, now time.Time) (EvidenceInput, string, error) {
	if in.ContentType == "" {
		in.ContentType = "application/octet-stream"
	}
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = now
	}
	meta, err := json.Marshal(orEmpty(in.Metadata))
	if err != nil {
		return in, "", fmt.Errorf("crm: evidence metadata: %w", err)
	}
	return in, string(meta), nil
}

// AttachEvidence ties unassigned evidence to a contact (a message reviewed by
// staff, a bounce matched to its recipient).
func (s *Store) AttachEvidence(ctx context.Context, tx *sqlx.Tx, evidenceID, contactID int64, reason string, actor Actor) error {
	res, err := tx.ExecContext(ctx, `UPDATE evidence SET contact_id = $2 WHERE id = $1 AND contact_id IS NULL`, evidenceID, contactID)
	if err != nil {
		return fmt.Errorf("crm: attach evidence %d: %w", evidenceID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("crm: attach evidence %d: %w (or already attached)", evidenceID, ErrNotFound)
	}
	return s.audit(ctx, tx, actor, "evidence.attached", contactID, map[string]any{"evidence_id": evidenceID, "reason": reason})
}

// EvidenceOf lists a contact's evidence, oldest first.
func (s *Store) EvidenceOf(ctx context.Context, q sqlx.QueryerContext, contactID int64) ([]Evidence, error) {
	out := []Evidence{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+evidenceColumns+` FROM evidence WHERE contact_id = $1 ORDER BY received_at, id`, contactID)
	if err != nil {
		return nil, fmt.Errorf("crm: evidence of contact %d: %w", contactID, err)
	}
	return out, nil
}

// EvidenceContent returns the stored bytes of one piece of evidence, after
// checking them against the recorded SHA-256.
func (s *Store) EvidenceContent(ctx context.Context, q sqlx.QueryerContext, id int64) (Evidence, []byte, error) {
	var row struct {
		Evidence
		Content []byte `db:"content"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT `+evidenceColumns+`, content FROM evidence WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, nil, fmt.Errorf("crm: evidence %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Evidence{}, nil, fmt.Errorf("crm: evidence %d: %w", id, err)
	}
	if row.ErasedAt == nil {
		if sum := sha256.Sum256(row.Content); hex.EncodeToString(sum[:]) != row.SHA256 {
			return Evidence{}, nil, fmt.Errorf("crm: evidence %d: content does not match its SHA-256 %s", id, row.SHA256)
		}
	}
	return row.Evidence, row.Content, nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// addJSONEvidence keeps a structured record (a consent confirmation, an
// erasure receipt) as evidence in canonical JSON.
func (s *Store) addJSONEvidence(ctx context.Context, tx *sqlx.Tx, contactID int64, kind string, record any, actor Actor) (Evidence, error) {
	body, err := json.MarshalIndent(record, "", "  ")
	if err != nil {
		return Evidence{}, fmt.Errorf("crm: %s record: %w", kind, err)
	}
	return s.AddEvidence(ctx, tx, EvidenceInput{ContactID: contactID, Kind: kind, ContentType: "application/json",
		FileName: kind + ".json", Content: body, Actor: actor})
}
