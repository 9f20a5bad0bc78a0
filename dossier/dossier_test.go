package dossier_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/dossier"
	"github.com/basis-crm/basis/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	ctx    = context.Background()
	system = crm.Actor("system:test")
	policy = crm.Policy{Purposes: map[string][]string{
		"inquiry_followup": {"legitimate_interest", "consent", "contract"},
		"marketing":        {"consent", "soft_opt_in"},
	}, LegitimateInterestMonths: 24}
)

const hostileName = `Mario <script>alert(1)</script> Rossi`

// mustStory records a contact with an inquiry, its basis, a call, a privacy
// notice sent and a confirmed marketing consent.
func mustStory(t *testing.T, st *crm.Store) crm.Contact {
	t.Helper()
	var c crm.Contact
	err := st.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if c, _, err = st.Capture(ctx, tx, crm.CaptureInput{Email: "mario.rossi@example.it", Name: hostileName, Source: "inbound_email",
			Actor: "system:mailin", Reason: "inquiry"}); err != nil {
			return err
		}
		raw := []byte("From: Mario Rossi <mario.rossi@example.it>\r\nSubject: Preventivo <b>urgente</b>\r\n\r\nVorrei un preventivo per 200 pezzi.\r\n")
		ev, err := st.AddEvidence(ctx, tx, crm.EvidenceInput{ContactID: c.ID, Kind: "inbound_email", ContentType: "message/rfc822",
			Content: raw, Metadata: map[string]any{"account": "shared", "uid": 42}, Actor: "system:mailin"})
		if err != nil {
			return err
		}
		if _, err := st.Grant(ctx, tx, crm.GrantInput{ContactID: c.ID, Purpose: "inquiry_followup", Kind: "legitimate_interest",
			Source: "inbound_email", EvidenceID: ev.ID, Reason: "inquiry received", Actor: "system:mailin"}); err != nil {
			return err
		}
		if _, err := st.LogActivity(ctx, tx, crm.ActivityInput{ContactID: c.ID, Kind: "call", Reason: "answer the quote request",
			Note: "sent prices", Actor: "user:anna@acme-srl.it"}); err != nil {
			return err
		}
		notice := []byte("Subject: =?UTF-8?Q?Informativa_privacy_=E2=80=93_Acme?=\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
			"Content-Transfer-Encoding: quoted-printable\r\n\r\nAcme S.r.l. tratta i suoi dati ai sensi dell'art. 13 GDPR, finch=C3=A9 serve.\r\n")
		if _, err := st.AddSentMessages(ctx, tx, "system:mailout", []crm.SentMessage{{ContactID: c.ID, Raw: notice, SentAt: time.Now(),
			Metadata: map[string]any{"kind": "notice", "purpose": "inquiry_followup"}}}); err != nil {
			return err
		}
		text, err := st.StoreConsentText(ctx, tx, "marketing", "it", "v1", "Acconsento a ricevere la newsletter.")
		if err != nil {
			return err
		}
		_, err = st.RecordConsent(ctx, tx, crm.ConsentInput{ContactID: c.ID, TextID: text.ID, Method: "double_opt_in",
			IP: "203.0.113.7", UserAgent: "Mozilla/5.0", Actor: "public:confirm-page"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// recompute follows the recipe written in the dossier, independently of crm.
func recompute(e crm.ProofEvent) string {
	h := sha256.New()
	prev, _ := hex.DecodeString(e.PrevHash)
	h.Write(prev)
	binary.Write(h, binary.BigEndian, uint64(e.Seq))
	binary.Write(h, binary.BigEndian, e.AtMicros)
	for _, f := range []string{e.Actor, e.Action, e.Contact} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	ph, _ := hex.DecodeString(e.PayloadSHA256)
	h.Write(ph)
	return hex.EncodeToString(h.Sum(nil))
}

func TestDossierHashesMatchEvidenceAndChain(t *testing.T) {
	db := pgtest.New(t)
	st := crm.NewStore(db, []byte("test-secret-key-0123456789abcdef0123"), policy, nil)
	c := mustStory(t, st)
	var out bytes.Buffer
	if err := dossier.Write(ctx, st, c.Email, &out, "user:owner", dossier.Options{Organization: "Acme S.r.l."}); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, out.Bytes())
	for _, name := range []string{"contact.json", "manifest.json", "dossier.html", "dossier.pdf", "audit_proof.json", "verify_audit.py", "dossier-manifest.json"} {
		if len(files[name]) == 0 {
			t.Errorf("%s missing from the dossier", name)
		}
	}
	if !bytes.HasPrefix(files["dossier.pdf"], []byte("%PDF-")) {
		t.Error("dossier.pdf is not a PDF")
	}
	html := string(files["dossier.html"])

	// Every evidence file is named by its SHA-256, matches the stored row, and the report cites it.
	ev, err := st.EvidenceOf(ctx, db, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, e := range ev {
		stored[e.SHA256] = true
		if !strings.Contains(html, e.SHA256) {
			t.Errorf("dossier.html does not cite evidence %d (%s)", e.ID, e.SHA256)
		}
	}
	n := 0
	for name, content := range files {
		if !strings.HasPrefix(name, "evidence/") {
			continue
		}
		n++
		base := strings.TrimSuffix(path.Base(name), path.Ext(name))
		if hexSum(content) != base || !stored[base] {
			t.Errorf("%s: content hashes to %s; stored: %v", name, hexSum(content), stored[base])
		}
	}
	if n != len(ev) || n < 3 {
		t.Errorf("%d evidence files for %d stored", n, len(ev))
	}

	// The manifest hash is the one the contact.exported event recorded.
	var recorded string
	db.Get(&recorded, `SELECT payload::jsonb->>'manifest_sha256' FROM audit_events WHERE action = 'contact.exported' AND contact_id = $1`, c.ID)
	if recorded == "" || recorded != hexSum(files["manifest.json"]) || !strings.Contains(html, recorded) {
		t.Errorf("manifest.json hashes to %s; the audit chain recorded %q", hexSum(files["manifest.json"]), recorded)
	}

	// The proof's events recompute, by the documented recipe, to the hashes in the database.
	var proof crm.AuditProof
	if err := json.Unmarshal(files["audit_proof.json"], &proof); err != nil {
		t.Fatal(err)
	}
	var dbHashes []string
	db.Select(&dbHashes, `SELECT encode(hash, 'hex') FROM audit_events WHERE contact_id = $1 ORDER BY seq`, c.ID)
	if len(proof.Events) != len(dbHashes) || len(dbHashes) < 6 {
		t.Fatalf("%d events in the proof, %d in the database", len(proof.Events), len(dbHashes))
	}
	for i, e := range proof.Events {
		if got := recompute(e); got != e.Hash || got != dbHashes[i] {
			t.Errorf("event %d: recomputed %s, proof says %s, database %s", e.Seq, got, e.Hash, dbHashes[i])
		}
		if !e.Redacted && hexSum([]byte(e.Payload)) != e.PayloadSHA256 {
			t.Errorf("event %d: payload does not match its hash", e.Seq)
		}
		if !strings.Contains(html, e.Hash) {
			t.Errorf("dossier.html does not show the hash of event %d", e.Seq)
		}
	}
	head, err := st.VerifyAudit(ctx)
	if err != nil || !head.OK || !proof.Verified.OK {
		t.Fatalf("chain: %+v %v; at export %+v", head, err, proof.Verified)
	}
	if proof.HeadSeq != head.HeadSeq || proof.HeadHash != head.HeadHash || !strings.Contains(html, head.HeadHash) {
		t.Errorf("chain head in the dossier %d %s, in the database %d %s", proof.HeadSeq, proof.HeadHash, head.HeadSeq, head.HeadHash)
	}

	// Hostile content is shown, escaped, never as markup.
	if strings.Contains(html, "<script>alert") || strings.Contains(html, "<b>urgente") {
		t.Error("dossier.html carries unescaped markup from contact data")
	}
	if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("dossier.html does not show the name, escaped")
	}
	for _, want := range []string{"Art. 6(1)(f)", "Recital 47", "Art. 6(1)(a)", "Informativa privacy – Acme", "finché serve", "finch=C3=A9 serve",
		"answer the quote request", "203.0.113.7"} {
		if !strings.Contains(html, want) {
			t.Errorf("dossier.html lacks %q", want)
		}
	}

	// The shipped script agrees, and notices a tampered proof.
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not installed: verify_audit.py not run")
		return
	}
	dir := t.TempDir()
	for name, content := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700)
		os.WriteFile(filepath.Join(dir, name), content, 0o600)
	}
	script := func() ([]byte, error) {
		cmd := exec.Command(python, "verify_audit.py")
		cmd.Dir = dir
		return cmd.CombinedOutput()
	}
	if out, err := script(); err != nil {
		t.Errorf("verify_audit.py: %v: %s", err, out)
	}
	tampered := strings.Replace(string(files["audit_proof.json"]), "answer the quote request", "answer the quote", 1)
	if tampered == string(files["audit_proof.json"]) {
		t.Fatal("the activity's reason is not in audit_proof.json")
	}
	os.WriteFile(filepath.Join(dir, "audit_proof.json"), []byte(tampered), 0o600)
	if out, err := script(); err == nil {
		t.Errorf("verify_audit.py accepted a tampered payload: %s", out)
	}
}
