package crm_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
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
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
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
