package crm_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
)

// recomputeHash is the recipe of manifest.json's how_to_check.
func recomputeHash(e crm.ProofEvent) string {
	h := sha256.New()
	prev, _ := hex.DecodeString(e.PrevHash)
	ph, _ := hex.DecodeString(e.PayloadSHA256)
	h.Write(prev)
	binary.Write(h, binary.BigEndian, uint64(e.Seq))
	binary.Write(h, binary.BigEndian, e.AtMicros)
	h.Write([]byte(e.Actor + "\x00" + e.Action + "\x00" + e.Contact + "\x00"))
	h.Write(ph)
	return hex.EncodeToString(h.Sum(nil))
}

// A person who had evidence, a consent, activities and a fulfilled erasure
// request is erased; exporting the address gives the erasure record: when,
// by whom and why, the suppression, the request and the redacted events
// whose hashes still verify, and not the address.
func TestExportOfErasedAddressGivesTheErasureRecord(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	giveHistory(t, st, c)
	d, err := st.Detail(ctx, c.Email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PlaceHold(ctx, d.Evidence[0].ID, "pending lawsuit R.G. 1234/2026", "user:admin"); err != nil {
		t.Fatal(err)
	}
	req, err := st.AddRequest(ctx, crm.RequestInput{Email: c.Email, Kind: "erasure", Channel: "email", Note: "from mario.rossi@example.it", Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	const reason = "Art. 17 request received 2026-11-29"
	if _, err := st.FulfilRequest(ctx, req.ID, crm.FulfilInput{Reason: reason, Actor: "user:dpo"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Export(ctx, c.Email, io.Discard, system); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("plain export of the erased address: got %v, want ErrNotFound", err)
	}

	var buf bytes.Buffer
	rec, err := st.ExportErasureRecord(ctx, "Mario.Rossi@Example.it", &buf, "user:auditor")
	if err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	if len(files) != 2 || files["erasure.json"] == nil || files["manifest.json"] == nil {
		t.Fatalf("erasure record holds %d files, want erasure.json and manifest.json", len(files))
	}
	for name, body := range files {
		for _, s := range []string{"mario.rossi", "mario rossi", "example.it", "203.0.113.7", "discount"} {
			if strings.Contains(strings.ToLower(string(body)), s) {
				t.Errorf("%s holds %q: the erasure record must hold no personal data", name, s)
			}
		}
	}

	var manifest struct {
		Files      []crm.ManifestEntry `json:"files"`
		HowToCheck []string            `json:"how_to_check"`
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest.Files) != 1 || manifest.Files[0].Path != "erasure.json" {
		t.Fatalf("manifest files: %+v", manifest.Files)
	}
	if sum := sha256.Sum256(files["erasure.json"]); hex.EncodeToString(sum[:]) != manifest.Files[0].SHA256 {
		t.Error("manifest.json's SHA-256 of erasure.json does not match it")
	}
	if how := strings.Join(manifest.HowToCheck, "\n"); !strings.Contains(how, "at_unix_micro") || !strings.Contains(how, "address_hash") {
		t.Errorf("how_to_check does not explain the events and the hash: %s", how)
	}

	var got crm.ErasureRecord
	if err := json.Unmarshal(files["erasure.json"], &got); err != nil {
		t.Fatal(err)
	}
	hash := hex.EncodeToString(st.AddressHash("mario.rossi@example.it"))
	if got.AddressHash != hash || len(got.Erasures) != 1 {
		t.Fatalf("erasure.json: hash %s (want %s), %d erasures", got.AddressHash, hash, len(got.Erasures))
	}
	e := got.Erasures[0]
	var erasedAt struct {
		Seq int64 `db:"seq"`
		At  int64 `db:"at"`
	}
	db.Get(&erasedAt, `SELECT seq, (extract(epoch FROM at) * 1000000)::bigint AS at FROM audit_events WHERE action = 'contact.erased'`)
	if e.ContactID != c.ID || e.Reason != reason || e.Actor != "user:dpo" || e.AddressHash != hash ||
		e.EventSeq != erasedAt.Seq || e.ErasedAt.UnixMicro() != erasedAt.At {
		t.Errorf("erasure: %+v, want contact %d, reason %q, actor user:dpo, event %+v", e, c.ID, reason, erasedAt)
	}
	if string(e.Details["request_id"]) != jsonInt(req.ID) || string(e.Details["evidence_kept_under_legal_hold"]) != "1" {
		t.Errorf("erasure details: %s", mustJSON(e.Details))
	}
	var erasureSupp bool
	for _, s := range e.Suppressions {
		erasureSupp = erasureSupp || (s.Purpose == "*" && s.Reason == "erasure" && !s.CreatedAt.IsZero())
	}
	if !erasureSupp {
		t.Errorf("suppressions %+v lack the erasure's (purpose *, reason erasure)", e.Suppressions)
	}
	if len(e.Requests) != 1 || e.Requests[0].ID != req.ID || e.Requests[0].Kind != "erasure" || e.Requests[0].Status != "fulfilled" {
		t.Errorf("requests: %+v, want request %d fulfilled", e.Requests, req.ID)
	}
	if last := rec.Last(); last.ContactID != c.ID || last.Reason != reason {
		t.Errorf("Last: %+v", last)
	}

	var stored []string
	db.Select(&stored, `SELECT encode(hash, 'hex') FROM audit_events WHERE contact_id = $1 AND seq <= $2 ORDER BY seq`, c.ID, got.ChainHead.Seq)
	if len(got.AuditEvents) != len(stored) {
		t.Fatalf("%d audit events in erasure.json, %d stored", len(got.AuditEvents), len(stored))
	}
	var redacted int
	for i, ev := range got.AuditEvents {
		if recomputed := recomputeHash(ev); recomputed != ev.Hash || ev.Hash != stored[i] {
			t.Errorf("event %d (%s): recomputed %s, erasure.json says %s, chain %s", ev.Seq, ev.Action, recomputed, ev.Hash, stored[i])
		}
		if ev.Redacted {
			redacted++
		} else if sum := sha256.Sum256([]byte(ev.Payload)); hex.EncodeToString(sum[:]) != ev.PayloadSHA256 {
			t.Errorf("event %d: payload is not the bytes its hash covers", ev.Seq)
		}
		if i > 0 && got.AuditEvents[i-1].Seq == ev.Seq-1 && got.AuditEvents[i-1].Hash != ev.PrevHash {
			t.Errorf("event %d does not link to event %d", ev.Seq, ev.Seq-1)
		}
	}
	if redacted < 5 {
		t.Errorf("%d redacted events in erasure.json, want the capture, evidence, basis, activity and consent events", redacted)
	}

	mustVerify(t, st)
	var recorded string
	db.Get(&recorded, `SELECT payload::jsonb->>'manifest_sha256' FROM audit_events
		WHERE action = 'contact.exported' AND contact_id = $1 AND payload::jsonb->>'kind' = 'erasure_record'`, c.ID)
	if sum := sha256.Sum256(files["manifest.json"]); recorded != hex.EncodeToString(sum[:]) {
		t.Errorf("the audit chain records manifest %q, the ZIP's is %x", recorded, sum)
	}
}

// An erased contact that had another address merged into it: the record
// of either address holds the erasure of that address's contact, and the
// primary's holds both.
func TestErasureRecordOfMergedContacts(t *testing.T) {
	st, _ := newStore(t)
	keep := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	drop := mustCapture(t, st, "m.rossi@rossi-srl.it", "Mario Rossi")
	if err := st.Merge(ctx, keep.ID, drop.ID, "same person, two addresses", system); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Erase(ctx, crm.ErasureInput{Email: keep.Email, Reason: "Art. 17", Actor: system}); err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string][]int64{keep.Email: {keep.ID, drop.ID}, drop.Email: {drop.ID}} {
		var buf bytes.Buffer
		rec, err := st.ExportErasureRecord(ctx, addr, &buf, system)
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		var ids []int64
		for _, e := range rec.Erasures {
			ids = append(ids, e.ContactID)
			if e.AddressHash != hex.EncodeToString(st.AddressHash(map[int64]string{keep.ID: keep.Email, drop.ID: drop.Email}[e.ContactID])) {
				t.Errorf("%s: erasure of contact %d carries hash %q", addr, e.ContactID, e.AddressHash)
			}
		}
		if mustJSON(ids) != mustJSON(want) {
			t.Errorf("%s: erasures of contacts %v, want %v", addr, ids, want)
		}
		for name, body := range unzip(t, buf.Bytes()) {
			if bytes.Contains(body, []byte("rossi")) {
				t.Errorf("%s: %s names the person", addr, name)
			}
		}
	}
}

func TestExportOfUnknownAddressSaysNoContactAndNoErasureRecord(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	var buf bytes.Buffer
	_, err := st.ExportErasureRecord(ctx, "nobody@example.it", &buf, system)
	if !errors.Is(err, crm.ErrNotFound) || !strings.Contains(err.Error(), "no contact and no erasure record") ||
		!strings.Contains(err.Error(), "before Basis kept erasure records") {
		t.Errorf("erasure record of an unknown address: got %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written for an unknown address", buf.Len())
	}
}

func jsonInt(n int64) string { return mustJSON(n) }

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
