package crm

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ExportBundle is contact.json inside an export: everything Basis holds
// about one person (Art. 15 access, Art. 20 portability).
type ExportBundle struct {
	ExportedAt time.Time `json:"exported_at"`
	ContactDetail
	// AuditEvents are the contact's audit events in the form their hashes
	// cover (hex hashes, the exact payload bytes, the time in microseconds),
	// so that each can be recomputed from contact.json alone by the recipe
	// of Event.ComputedHash, which manifest.json's "how_to_check" spells out.
	AuditEvents []ProofEvent `json:"audit_events"`
	ChainHead   ChainHead    `json:"chain_head"`
}

// ChainHead is the audit chain's last event when an export was taken.
type ChainHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// ManifestEntry names one file of an export and its SHA-256.
type ManifestEntry struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Export writes one ZIP with contact.json, every evidence file under its
// SHA-256, and manifest.json listing each file's hash. The read runs in one
// repeatable-read transaction, so the bundle is a consistent snapshot.
func (s *Store) Export(ctx context.Context, email string, w io.Writer, actor Actor) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("crm: export: %w", err)
	}
	defer tx.Rollback()
	var b ExportBundle
	if b.Contact, err = s.FindContact(ctx, tx, email); err != nil {
		return err
	}
	if err := s.fillDetail(ctx, tx, &b.ContactDetail); err != nil {
		return err
	}
	if err := s.exportAudit(ctx, tx, &b); err != nil {
		return err
	}
	b.ExportedAt = s.clock()
	zw := zip.NewWriter(w)
	var manifest []ManifestEntry
	for _, e := range b.Evidence {
		if e.ErasedAt != nil {
			continue
		}
		_, content, err := s.EvidenceContent(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		path := "evidence/" + e.SHA256 + extensionFor(e.ContentType)
		if err := writeZipFile(zw, path, content, e.ReceivedAt); err != nil {
			return err
		}
		manifest = append(manifest, ManifestEntry{Path: path, SHA256: e.SHA256, Size: int64(len(content))})
	}
	body, err := readableJSON(b)
	if err != nil {
		return fmt.Errorf("crm: export: %w", err)
	}
	if err := writeZipFile(zw, "contact.json", body, b.ExportedAt); err != nil {
		return err
	}
	manifest = append(manifest, ManifestEntry{Path: "contact.json", SHA256: hexSHA256(body), Size: int64(len(body))})
	mbody, err := writeManifest(zw, b.ExportedAt, manifest, b.ChainHead, howToCheck)
	if err != nil {
		return err
	}
	tx.Rollback()
	return s.InTx(ctx, func(wtx *sqlx.Tx) error {
		return s.audit(ctx, wtx, actor, "contact.exported", b.ID, map[string]any{"files": len(manifest), "manifest_sha256": hexSHA256(mbody)})
	})
}

// howToCheck is "how_to_check" in manifest.json, one line per string: what
// the files of an export are and how anyone can check them without Basis.
const howToCheck = `This ZIP holds everything Basis keeps about one person.

contact.json   the person, their lawful bases, consents, activities (each with
               its reason and who did it), what may be sent to them now
               ("eligibility") and every audit event recorded about them.
evidence/      the evidence itself, byte for byte: emails received (.eml),
               messages sent (.eml), consent records (.json), scans. Each file
               is named by its SHA-256.
manifest.json  the SHA-256 and size of every other file. Its own SHA-256 is
               recorded in the audit chain by the "contact.exported" event.

Checking the files: "sha256sum FILE" (Linux, macOS: "shasum -a 256 FILE";
Windows: "certutil -hashfile FILE SHA256") must print the SHA-256 that
manifest.json lists for FILE, and for a file under evidence/ its own name.

Checking the audit events (contact.json, "audit_events"): each event's
` + chainRecipe + `
Checking a consent (evidence/*.json with a "text"): the text's "sha256" is
SHA-256 of purpose, language, version and text joined by one zero byte.
`

// chainRecipe says how to recompute an exported audit event's hash and how
// the events link; it completes a sentence that begins "each event's".
const chainRecipe = `"hash" is SHA-256 over
  the previous event's hash ("prev_hash", 32 bytes)
  || "seq" as 8 bytes big-endian
  || "at_unix_micro" (microseconds since 1970-01-01 UTC) as 8 bytes big-endian
  || "actor" || 0x00 || "action" || 0x00 || "contact" || 0x00
  || the payload hash ("payload_sha256", 32 bytes),
and "payload_sha256" is SHA-256 of the exact bytes of "payload" (UTF-8); a
payload redacted by an erasure keeps its original hash. Events with
consecutive numbers link: the later one's "prev_hash" is the earlier one's
"hash". Events of other people lie between and are not in this export; on
the Basis installation "basis audit verify" checks the whole chain and
"basis audit proof SEQ" shows that event SEQ is still part of it: for SEQ
the "seq" of "chain_head" in this file (the chain's last event before the
export), it must print that "hash" and end with "ok"; then no event up to
it, this person's included, was altered since.
`

func (s *Store) exportAudit(ctx context.Context, tx *sqlx.Tx, b *ExportBundle) error {
	var err error
	if b.AuditEvents, err = familyProofEvents(ctx, tx, b.ID); err != nil {
		return err
	}
	b.ChainHead, err = exportChainHead(ctx, tx)
	return err
}

// familyProofEvents returns the audit events of the contacts ids and of
// every contact merged into them, in the form their hashes cover, in chain
// order.
func familyProofEvents(ctx context.Context, tx *sqlx.Tx, ids ...int64) ([]ProofEvent, error) {
	var events []Event
	if err := tx.SelectContext(ctx, &events, `SELECT seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash, redacted_at
		FROM audit_events WHERE contact_id IN (`+mergedFamilies+`) ORDER BY seq`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("crm: export audit events: %w", err)
	}
	out := make([]ProofEvent, len(events))
	for i, e := range events {
		out[i] = ProofOf(e)
	}
	return out, nil
}

// exportChainHead is the chain's last event as tx sees it.
func exportChainHead(ctx context.Context, tx *sqlx.Tx) (ChainHead, error) {
	var head struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	if err := tx.GetContext(ctx, &head, `SELECT seq, hash FROM audit_head WHERE id = 1`); err != nil {
		return ChainHead{}, fmt.Errorf("crm: export chain head: %w", err)
	}
	return ChainHead{Seq: head.Seq, Hash: hex.EncodeToString(head.Hash)}, nil
}

// writeManifest adds manifest.json (the files with their SHA-256, the chain
// head and how_to_check, one line per string) and closes the ZIP. It returns
// manifest.json's bytes, whose SHA-256 the export's audit event records.
func writeManifest(zw *zip.Writer, at time.Time, files []ManifestEntry, head ChainHead, howTo string) ([]byte, error) {
	body, err := readableJSON(map[string]any{"exported_at": at, "files": files, "chain_head": head,
		"how_to_check": strings.Split(strings.TrimSpace(howTo), "\n")})
	if err != nil {
		return nil, fmt.Errorf("crm: export manifest: %w", err)
	}
	if err := writeZipFile(zw, "manifest.json", body, at); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("crm: export: %w", err)
	}
	return body, nil
}

// mergedFamily selects contact $1 and every contact merged into it, directly
// or through another: the same person, whose evidence, bases, consents and
// activities moved to $1 while their audit events keep the id they were
// written for.
const mergedFamily = `WITH RECURSIVE family(id) AS (SELECT $1::bigint
		UNION SELECT c.id FROM contacts c JOIN family f ON c.merged_into = f.id)
	SELECT id FROM family`

// mergedFamilies is mergedFamily for every contact in the array $1.
const mergedFamilies = `WITH RECURSIVE family(id) AS (SELECT unnest($1::bigint[])
		UNION SELECT c.id FROM contacts c JOIN family f ON c.merged_into = f.id)
	SELECT id FROM family`

func writeZipFile(zw *zip.Writer, name string, content []byte, modified time.Time) error {
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return fmt.Errorf("crm: export %s: %w", name, err)
	}
	if _, err := f.Write(content); err != nil {
		return fmt.Errorf("crm: export %s: %w", name, err)
	}
	return nil
}

func extensionFor(contentType string) string {
	switch contentType {
	case "message/rfc822":
		return ".eml"
	case "application/json":
		return ".json"
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	}
	if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}

// readableJSON is v as indented JSON for people to read: unlike
// json.MarshalIndent it leaves <, > and & as they are, so a Message-ID reads
// <abc@acme-srl.it> and not \u003cabc@acme-srl.it\u003e. The bytes mean the
// same to any JSON reader.
func readableJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
