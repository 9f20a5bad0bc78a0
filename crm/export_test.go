package crm_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

func TestExportHoldsEverythingWithHashes(t *testing.T) {
	st, _ := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	inTx(t, st, func(tx *sqlx.Tx) error {
		_, err := st.LogActivity(ctx, tx, crm.ActivityInput{ContactID: c.ID, Kind: "call", Reason: "quote follow-up <urgent> & soon", Actor: system})
		return err
	})
	var buf bytes.Buffer
	if err := st.Export(ctx, "mario.rossi@example.it", &buf, system); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	var manifest struct {
		Files []crm.ManifestEntry `json:"files"`
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	var emls int
	for _, m := range manifest.Files {
		sum := sha256.Sum256(files[m.Path])
		if hex.EncodeToString(sum[:]) != m.SHA256 {
			t.Errorf("%s: manifest hash %s does not match content", m.Path, m.SHA256)
		}
		if strings.HasSuffix(m.Path, ".eml") {
			emls++
			if !strings.Contains(m.Path, m.SHA256) || !bytes.Contains(files[m.Path], []byte("Richiesta preventivo")) {
				t.Errorf("evidence file %s is not the raw message under its SHA-256", m.Path)
			}
		}
	}
	if emls != 1 {
		t.Errorf("%d .eml files in the export, want 1", emls)
	}
	var bundle struct {
		Email       string `json:"email"`
		Bases       []any  `json:"bases"`
		Activities  []any  `json:"activities"`
		AuditEvents []any  `json:"audit_events"`
	}
	if err := json.Unmarshal(files["contact.json"], &bundle); err != nil {
		t.Fatal(err)
	}
	if bundle.Email != "mario.rossi@example.it" || len(bundle.Bases) != 1 || len(bundle.Activities) != 1 || len(bundle.AuditEvents) < 4 {
		t.Errorf("contact.json incomplete: %+v", bundle)
	}
	if !bytes.Contains(files["contact.json"], []byte(`"quote follow-up <urgent> & soon"`)) {
		t.Errorf("contact.json escapes <, > or & for HTML: people read it; want them as they are")
	}
	mustVerify(t, st)
}

// contact.json alone proves its audit events: each recomputes, by the
// recipe manifest.json in the same ZIP gives, to the hash stored in the chain.
func TestExportAuditEventsRecomputeFromContactJSON(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	var buf bytes.Buffer
	if err := st.Export(ctx, c.Email, &buf, system); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	var manifest struct {
		HowToCheck []string `json:"how_to_check"`
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(manifest.HowToCheck, "\n")
	for _, want := range []string{"sha256sum", "prev_hash", "at_unix_micro", "payload_sha256", "basis audit verify", "zero byte"} {
		if !strings.Contains(readme, want) {
			t.Errorf("manifest.json's how_to_check does not explain %q", want)
		}
	}
	var bundle struct {
		AuditEvents []struct {
			Seq           int64  `json:"seq"`
			AtMicros      int64  `json:"at_unix_micro"`
			Actor         string `json:"actor"`
			Action        string `json:"action"`
			Contact       string `json:"contact"`
			Payload       string `json:"payload"`
			PayloadSHA256 string `json:"payload_sha256"`
			PrevHash      string `json:"prev_hash"`
			Hash          string `json:"hash"`
		} `json:"audit_events"`
	}
	if err := json.Unmarshal(files["contact.json"], &bundle); err != nil {
		t.Fatalf("contact.json audit_events: %v", err)
	}
	var stored []string
	if err := db.Select(&stored, `SELECT encode(hash, 'hex') FROM audit_events WHERE contact_id = $1 AND action <> 'contact.exported' ORDER BY seq`, c.ID); err != nil {
		t.Fatal(err)
	}
	if len(bundle.AuditEvents) != len(stored) || len(stored) < 3 {
		t.Fatalf("%d events in contact.json, %d stored", len(bundle.AuditEvents), len(stored))
	}
	for i, e := range bundle.AuditEvents {
		if sum := sha256.Sum256([]byte(e.Payload)); hex.EncodeToString(sum[:]) != e.PayloadSHA256 {
			t.Errorf("event %d: payload in contact.json is not the bytes its hash covers", e.Seq)
		}
		asHashed := crm.ProofEvent{Seq: e.Seq, AtMicros: e.AtMicros, Actor: e.Actor, Action: e.Action, Contact: e.Contact,
			PayloadSHA256: e.PayloadSHA256, PrevHash: e.PrevHash}
		if got := recomputeHash(asHashed); got != e.Hash || got != stored[i] {
			t.Errorf("event %d: recomputed %s, contact.json says %s, chain %s", e.Seq, got, e.Hash, stored[i])
		}
	}
}

// After a merge the evidence and activities of the merged contact are the
// kept contact's, and so are the audit events that recorded them: the export
// and the dossier's proof show why each of them is there.
func TestExportOfMergedContactHoldsTheMergedHistory(t *testing.T) {
	st, _ := newStore(t)
	keep := mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	drop := mustCapture(t, st, "m.rossi@rossi-srl.it", "Mario Rossi")
	inTx(t, st, func(tx *sqlx.Tx) error {
		_, err := st.LogActivity(ctx, tx, crm.ActivityInput{ContactID: drop.ID, Kind: "call", Reason: "called from the other address", Actor: system})
		return err
	})
	if err := st.Merge(ctx, keep.ID, drop.ID, "same person, two addresses", system); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := st.Export(ctx, keep.Email, &buf, system); err != nil {
		t.Fatal(err)
	}
	var bundle crm.ExportBundle
	if err := json.Unmarshal(unzip(t, buf.Bytes())["contact.json"], &bundle); err != nil {
		t.Fatalf("contact.json: %v", err)
	}
	proof, err := st.ContactAuditProof(ctx, keep.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, events := range map[string][]crm.ProofEvent{"contact.json": bundle.AuditEvents, "audit proof": proof.Events} {
		var activity, evidence bool
		for _, e := range events {
			activity = activity || (e.Action == "activity.logged" && strings.Contains(e.Payload, "called from the other address"))
			evidence = evidence || (e.Action == "evidence.added" && e.Contact == fmt.Sprint(drop.ID))
		}
		if !activity || !evidence {
			t.Errorf("%s lacks the merged contact's events (activity %v, evidence %v)", name, activity, evidence)
		}
	}
}
