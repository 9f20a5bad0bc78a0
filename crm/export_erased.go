package crm

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErasureRecord is erasure.json inside the erasure record of an address:
// what Basis keeps, by design, about a person it erased (the keyed hash of
// the address, when, by whom and why the contact was erased, the
// suppression, the rights requests, the redacted audit events), and nothing
// that names the person. It answers "prove you erased this person".
type ErasureRecord struct {
	ExportedAt time.Time `json:"exported_at"`
	// AddressHash is the hex HMAC-SHA-256 of the normalized address keyed
	// with the installation's secret: the value the suppression list keeps.
	AddressHash string    `json:"address_hash"`
	Erasures    []Erasure `json:"erasures"`
	// AuditEvents are every audit event of the erased contacts, redacted
	// ones included, in the form their hashes cover (as in contact.json).
	AuditEvents []ProofEvent `json:"audit_events"`
	ChainHead   ChainHead    `json:"chain_head"`
}

// Erasure is one erased contact of an erasure record, as its contact.erased
// audit event tells it.
type Erasure struct {
	ContactID  int64  `json:"contact_id"`
	MergedInto *int64 `json:"merged_into,omitempty"`
	// AddressHash is "" for a contact erased before the contact.erased
	// event carried it (a contact merged into one erased since).
	AddressHash string    `json:"address_hash,omitempty"`
	ErasedAt    time.Time `json:"erased_at"`
	Actor       Actor     `json:"actor"`
	Reason      string    `json:"reason"`
	// Details are the event's other keys: request_id (the request
	// fulfilled), retention_rule, evidence_kept_under_legal_hold.
	Details      map[string]json.RawMessage `json:"details,omitempty"`
	EventSeq     int64                      `json:"event_seq"`
	Suppressions []Suppression              `json:"suppressions"`
	Requests     []ErasureRequest           `json:"requests"`
}

// ErasureRequest is a rights request linked to an erased contact, without
// its free text (erasure blanked the note).
type ErasureRequest struct {
	ID          int64      `db:"id" json:"id"`
	Kind        string     `db:"kind" json:"kind"`
	Channel     string     `db:"channel" json:"channel"`
	ReceivedOn  time.Time  `db:"received_on" json:"received_on"`
	DueOn       time.Time  `db:"due_on" json:"due_on"`
	Status      string     `db:"status" json:"status"`
	Outcome     string     `db:"outcome" json:"outcome,omitempty"`
	CompletedAt *time.Time `db:"completed_at" json:"completed_at,omitempty"`
	CompletedBy Actor      `db:"completed_by" json:"completed_by,omitempty"`
}

// Last is the latest erasure of a contact that held the address itself
// (not one merged into it).
func (r ErasureRecord) Last() Erasure {
	var last Erasure
	for _, e := range r.Erasures {
		if e.AddressHash == r.AddressHash {
			last = e
		}
	}
	return last
}

// ExportErasureRecord writes the erasure record of email: a ZIP with
// erasure.json and manifest.json, found by the keyed hash of the address in
// the contact.erased events, and records the export on the audit chain
// ("contact.exported", kind "erasure_record"). The address is in no file.
// It returns ErrNotFound when no erasure carries the address's hash, as for
// the erasures made before the contact.erased event recorded it.
func (s *Store) ExportErasureRecord(ctx context.Context, email string, w io.Writer, actor Actor) (ErasureRecord, error) {
	norm, err := NormalizeAddress(email)
	if err != nil {
		return ErasureRecord{}, fmt.Errorf("crm: erasure record: %w", err)
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return ErasureRecord{}, fmt.Errorf("crm: erasure record: %w", err)
	}
	defer tx.Rollback()
	rec := ErasureRecord{AddressHash: hex.EncodeToString(s.AddressHash(norm))}
	ids, err := erasedContactsByHash(ctx, tx, rec.AddressHash)
	if err != nil {
		return rec, err
	}
	if len(ids) == 0 {
		return rec, s.noErasureRecord(ctx, tx, norm)
	}
	return s.writeErasureRecord(ctx, tx, rec, ids, norm, w, actor)
}

// ExportErasureRecordOf writes the erasure record of the erased contact
// id, as ExportErasureRecord does for an address: for the web UI, where an
// erased contact has no address left. The record covers every erasure of
// the address the contact had, when its contact.erased event carries the
// address's hash, else (an erasure older than that) the contact alone. It
// returns ErrNotFound when the contact was not erased.
func (s *Store) ExportErasureRecordOf(ctx context.Context, id int64, w io.Writer, actor Actor) (ErasureRecord, error) {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return ErasureRecord{}, fmt.Errorf("crm: erasure record: %w", err)
	}
	defer tx.Rollback()
	var rec ErasureRecord
	err = tx.GetContext(ctx, &rec.AddressHash, `SELECT COALESCE(payload->>'address_hash', '') FROM audit_events
		WHERE action = 'contact.erased' AND contact_id = $1 ORDER BY seq DESC LIMIT 1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, fmt.Errorf("crm: erasure record: contact %d was not erased: %w", id, ErrNotFound)
	}
	if err != nil {
		return rec, fmt.Errorf("crm: erasure record of contact %d: %w", id, err)
	}
	ids := []int64{id}
	if rec.AddressHash != "" {
		if ids, err = erasedContactsByHash(ctx, tx, rec.AddressHash); err != nil {
			return rec, err
		}
	}
	return s.writeErasureRecord(ctx, tx, rec, ids, "", w, actor)
}

// writeErasureRecord completes rec with the erasures of the contacts ids,
// their audit events and the chain head read in tx, writes the ZIP to w
// (refusing it if the address norm, when known, is still in it) and
// records the export on the audit chain.
func (s *Store) writeErasureRecord(ctx context.Context, tx *sqlx.Tx, rec ErasureRecord, ids []int64, norm string, w io.Writer, actor Actor) (ErasureRecord, error) {
	var err error
	if rec.Erasures, err = s.erasuresOf(ctx, tx, ids); err != nil {
		return rec, err
	}
	if rec.AuditEvents, err = familyProofEvents(ctx, tx, ids...); err != nil {
		return rec, err
	}
	if rec.ChainHead, err = exportChainHead(ctx, tx); err != nil {
		return rec, err
	}
	rec.ExportedAt = s.clock()
	tx.Rollback()
	mbody, err := writeErasureZip(w, rec, norm)
	if err != nil {
		return rec, err
	}
	err = s.InTx(ctx, func(wtx *sqlx.Tx) error {
		return s.audit(ctx, wtx, actor, "contact.exported", ids[len(ids)-1], map[string]any{"kind": "erasure_record", "contacts": ids,
			"files": 1, "manifest_sha256": hexSHA256(mbody)})
	})
	return rec, err
}

// erasedContactsByHash returns the contacts whose contact.erased event
// carries the address hash, oldest erasure first.
func erasedContactsByHash(ctx context.Context, tx *sqlx.Tx, hash string) ([]int64, error) {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT contact_id FROM audit_events
		WHERE action = 'contact.erased' AND payload->>'address_hash' = $1 ORDER BY seq`, hash); err != nil {
		return nil, fmt.Errorf("crm: erasure record: find the erasures: %w", err)
	}
	return ids, nil
}

// noErasureRecord is the error for an address with no contact and no
// erasure record, saying when the suppression list knows it was erased.
func (s *Store) noErasureRecord(ctx context.Context, tx *sqlx.Tx, norm string) error {
	at, erased, err := s.ErasedAt(ctx, tx, norm)
	if err != nil {
		return err
	}
	if erased {
		return fmt.Errorf("crm: export %s: no contact and no erasure record for this address: it was erased on %s, before Basis "+
			"recorded the address's keyed hash in the erasure's audit event, so that event cannot be found by address: %w",
			norm, at.UTC().Format(time.DateOnly), ErrNotFound)
	}
	return fmt.Errorf("crm: export %s: no contact and no erasure record for this address "+
		"(an erasure made before Basis kept erasure records cannot be found by address): %w", norm, ErrNotFound)
}

// erasuresOf reads the contact.erased events of the contacts ids and of
// those merged into them, with each one's suppressions and requests.
func (s *Store) erasuresOf(ctx context.Context, tx *sqlx.Tx, ids []int64) ([]Erasure, error) {
	var events []struct {
		Event
		MergedInto *int64 `db:"merged_into"`
	}
	if err := tx.SelectContext(ctx, &events, `SELECT e.seq, e.at, e.actor, e.action, e.contact_id, e.payload, e.payload_hash,
		e.prev_hash, e.hash, e.redacted_at, c.merged_into
		FROM audit_events e JOIN contacts c ON c.id = e.contact_id
		WHERE e.action = 'contact.erased' AND e.redacted_at IS NULL AND e.contact_id IN (`+mergedFamilies+`) ORDER BY e.seq`,
		pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("crm: erasure record: erasure events: %w", err)
	}
	out := make([]Erasure, 0, len(events))
	for _, ev := range events {
		e, err := erasureFrom(ev.Event)
		if err != nil {
			return nil, err
		}
		e.MergedInto = ev.MergedInto
		if e.Suppressions, err = erasureSuppressions(ctx, tx, e.AddressHash); err != nil {
			return nil, err
		}
		if e.Requests, err = erasureRequests(ctx, tx, e.ContactID, e.AddressHash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// erasureFrom reads a contact.erased event: the reason and the address hash,
// and the other payload keys as they are.
func erasureFrom(ev Event) (Erasure, error) {
	e := Erasure{ContactID: *ev.ContactID, ErasedAt: ev.At, Actor: ev.Actor, EventSeq: ev.Seq}
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(ev.Payload, &payload); err != nil {
		return e, fmt.Errorf("crm: erasure record: event %d payload: %w", ev.Seq, err)
	}
	for key, dst := range map[string]*string{"reason": &e.Reason, "address_hash": &e.AddressHash} {
		if raw, ok := payload[key]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return e, fmt.Errorf("crm: erasure record: event %d %s: %w", ev.Seq, key, err)
			}
			delete(payload, key)
		}
	}
	if len(payload) > 0 {
		e.Details = payload
	}
	return e, nil
}

// erasureSuppressions lists the suppressions kept under an address hash
// (the erasure's is for every purpose, "*").
func erasureSuppressions(ctx context.Context, tx *sqlx.Tx, hexHash string) ([]Suppression, error) {
	out := []Suppression{}
	if hexHash == "" {
		return out, nil
	}
	hash, err := hex.DecodeString(hexHash)
	if err != nil {
		return nil, fmt.Errorf("crm: erasure record: address hash %q: %w", hexHash, err)
	}
	if err := tx.SelectContext(ctx, &out, `SELECT purpose, reason, created_at FROM suppressions
		WHERE address_hash = $1 ORDER BY created_at, purpose`, hash); err != nil {
		return nil, fmt.Errorf("crm: erasure record: suppressions: %w", err)
	}
	return out, nil
}

// erasureRequests lists the rights requests linked to an erased contact,
// or made from its address when Basis held no contact for it.
func erasureRequests(ctx context.Context, tx *sqlx.Tx, contactID int64, hexHash string) ([]ErasureRequest, error) {
	hash, err := hex.DecodeString(hexHash)
	if err != nil {
		return nil, fmt.Errorf("crm: erasure record: address hash %q: %w", hexHash, err)
	}
	out := []ErasureRequest{}
	if err := tx.SelectContext(ctx, &out, `SELECT id, kind, channel, received_on, due_on, status, outcome, completed_at, completed_by
		FROM rights_requests WHERE contact_id = $1 OR (contact_id IS NULL AND address_hash = $2) ORDER BY id`,
		contactID, hash); err != nil {
		return nil, fmt.Errorf("crm: erasure record: requests of contact %d: %w", contactID, err)
	}
	return out, nil
}

// writeErasureZip writes erasure.json and manifest.json to w and returns
// the manifest's bytes. It refuses to write a file that holds the address.
func writeErasureZip(w io.Writer, rec ErasureRecord, norm string) ([]byte, error) {
	body, err := readableJSON(rec)
	if err != nil {
		return nil, fmt.Errorf("crm: erasure record: %w", err)
	}
	if norm != "" && bytes.Contains(bytes.ToLower(body), []byte(norm)) {
		return nil, fmt.Errorf("crm: erasure record: the address is still in its audit events or requests "+
			"(a reason or note that names it?); nothing written: %w", ErrInvalidInput)
	}
	zw := zip.NewWriter(w)
	if err := writeZipFile(zw, "erasure.json", body, rec.ExportedAt); err != nil {
		return nil, err
	}
	files := []ManifestEntry{{Path: "erasure.json", SHA256: hexSHA256(body), Size: int64(len(body))}}
	return writeManifest(zw, rec.ExportedAt, files, rec.ChainHead, erasureHowToCheck)
}

// erasureHowToCheck is "how_to_check" in an erasure record's manifest.json.
const erasureHowToCheck = `This ZIP is the erasure record of one email address: Basis erased the
personal data of the person who used it and keeps only what shows that it
did. The address itself is in no file.

erasure.json   "address_hash": HMAC-SHA-256 of the address (lower case),
               keyed with this installation's secret, the value the
               suppression list keeps. "erasures": per erased contact, when
               ("erased_at"), by whom ("actor") and why ("reason") it was
               erased, the request fulfilled, retention rule or evidence kept
               under legal hold ("details"), the suppressions that keep the
               address out of imports and campaigns, and the rights requests
               linked to it; contacts merged into it were erased with it.
               "audit_events": every audit event recorded about those
               contacts; an event redacted by the erasure shows
               {"redacted":"erasure"} in place of its payload.
manifest.json  the SHA-256 and size of erasure.json. Its own SHA-256 is
               recorded in the audit chain by the "contact.exported" event
               with "kind" "erasure_record".

Checking the files: "sha256sum erasure.json" (Linux, macOS: "shasum -a 256";
Windows: "certutil -hashfile erasure.json SHA256") must print the SHA-256
that manifest.json lists for it.

Checking the audit events (erasure.json, "audit_events"): each event's
` + chainRecipe + `
A redacted event's "payload_sha256" is that of the payload erased, which can
no longer be shown; its "hash" still recomputes and links, so the chain shows
that the event was there, unaltered, and was only redacted. The
"contact.erased" event is written after the redaction: it is whole, and its
payload holds the reason and the address hash of "erasures".
`
