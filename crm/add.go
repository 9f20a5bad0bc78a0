package crm

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// EvidenceContentTypes are the uploads accepted as a business card or
// signed form: images and PDF, checked by sniffing the content.
var EvidenceContentTypes = []string{"image/jpeg", "image/png", "application/pdf", "image/webp", "image/gif"}

// AddInput is a contact added by hand with its basis and optional evidence
// file (a business card scan, a signed form).
type AddInput struct {
	CaptureInput
	Purpose, Kind    string
	EvidenceFile     []byte
	EvidenceFileName string
	// MaxEvidenceBytes bounds EvidenceFile (evidence.max_file_bytes).
	MaxEvidenceBytes int64
}

// AddContact records a contact entered by staff with its lawful basis, in
// one transaction: an erased or suppressed address is refused.
func (s *Store) AddContact(ctx context.Context, in AddInput) (Contact, error) {
	if err := s.CheckPurposeKind(in.Purpose, in.Kind); err != nil {
		return Contact{}, fmt.Errorf("crm: add: %w", err)
	}
	if in.Kind == "" {
		return Contact{}, fmt.Errorf("crm: add: a basis kind is required (one of %v): %w", Kinds, ErrInvalidInput)
	}
	if strings.TrimSpace(in.Reason) == "" {
		return Contact{}, fmt.Errorf("crm: add: a reason is required (why may this person be contacted?): %w", ErrInvalidInput)
	}
	ctype, err := checkUpload(in)
	if err != nil {
		return Contact{}, err
	}
	var c Contact
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		norm, err := NormalizeAddress(in.Email)
		if err != nil {
			return fmt.Errorf("crm: add: %w", err)
		}
		if erased, err := s.erasedBefore(ctx, tx, s.AddressHash(norm)); err != nil || erased {
			if erased {
				return fmt.Errorf("crm: add %s: %w", norm, ErrErased)
			}
			return err
		}
		if suppressed, err := s.IsSuppressed(ctx, tx, norm, in.Purpose); err != nil || suppressed {
			if suppressed {
				return fmt.Errorf("crm: add %s: %w for %s", in.Email, ErrSuppressed, in.Purpose)
			}
			return err
		}
		if c, _, err = s.Capture(ctx, tx, in.CaptureInput); err != nil {
			return err
		}
		var evidenceID int64
		if len(in.EvidenceFile) > 0 {
			kind := "document"
			if in.Source == "business_card" {
				kind = "business_card"
			}
			ev, err := s.AddEvidence(ctx, tx, EvidenceInput{ContactID: c.ID, Kind: kind, ContentType: ctype,
				FileName: in.EvidenceFileName, Content: in.EvidenceFile, Actor: in.Actor})
			if err != nil {
				return err
			}
			evidenceID = ev.ID
		}
		_, err = s.Grant(ctx, tx, GrantInput{ContactID: c.ID, Purpose: in.Purpose, Kind: in.Kind, Source: in.Source,
			EvidenceID: evidenceID, Reason: in.Reason, Actor: in.Actor})
		return err
	})
	return c, err
}

func checkUpload(in AddInput) (string, error) {
	if len(in.EvidenceFile) == 0 {
		return "", nil
	}
	if in.MaxEvidenceBytes > 0 && int64(len(in.EvidenceFile)) > in.MaxEvidenceBytes {
		return "", fmt.Errorf("crm: evidence file %s is %d bytes, over the limit of %d (evidence.max_file_bytes): %w",
			in.EvidenceFileName, len(in.EvidenceFile), in.MaxEvidenceBytes, ErrInvalidInput)
	}
	ctype := http.DetectContentType(in.EvidenceFile)
	if !slices.Contains(EvidenceContentTypes, ctype) {
		return "", fmt.Errorf("crm: evidence file %s is %s, not a scan (JPEG, PNG or PDF): %w", in.EvidenceFileName, ctype, ErrInvalidInput)
	}
	return ctype, nil
}
