package dossier_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/dossier"
	"github.com/basis-crm/basis/internal/pgtest"
)

// objectedDossier writes the dossier of a contact who confirmed a marketing
// consent and then unsubscribed, unzipped into a folder.
func objectedDossier(t *testing.T) (string, map[string][]byte) {
	t.Helper()
	db := pgtest.New(t)
	st := crm.NewStore(db, []byte("test-secret-key-0123456789abcdef0123"), policy, nil)
	c := mustStory(t, st)
	if err := st.ObjectTx(ctx, crm.ObjectionInput{Email: c.Email, Unsubscribe: true, Reason: "one-click unsubscribe", Actor: "public:unsubscribe"}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := dossier.Write(ctx, st, c.Email, &out, "user:owner", dossier.Options{Organization: "Acme S.r.l.", NoPDF: true}); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, out.Bytes())
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, files
}

func run(t *testing.T, dir, tool string, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s is needed to check the dossier's instructions as a reader would (apt-get install python3 coreutils; .ci/run installs it): %v", tool, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The instructions in dossier.html, followed literally in the unzipped
// folder, succeed on an untouched dossier.
func TestDossierInstructionsWorkAsWritten(t *testing.T) {
	dir, files := objectedDossier(t)
	html := string(files["dossier.html"])
	for _, cmd := range []string{"sha256sum -c SHA256SUMS", "python3 verify_audit.py", "basis audit verify", "basis audit proof "} {
		if !strings.Contains(html, cmd) {
			t.Errorf("dossier.html does not tell the reader to run %q", cmd)
		}
	}
	out, err := run(t, dir, "sha256sum", "-c", "SHA256SUMS")
	if err != nil {
		t.Fatalf("sha256sum -c SHA256SUMS: %v\n%s", err, out)
	}
	for name := range files {
		if name != "SHA256SUMS" && !strings.Contains(out, name+": OK") {
			t.Errorf("SHA256SUMS does not cover %s:\n%s", name, out)
		}
	}
	out, err = run(t, dir, "python3", "verify_audit.py")
	if err != nil || !strings.Contains(out, " 0 problems") || !strings.Contains(out, "1 consent texts checked") {
		t.Fatalf("verify_audit.py on an untouched dossier: %v\n%s", err, out)
	}
}

// verify_audit.py notices an objection left out of the proof or of
// contact.json, an altered evidence file and a manifest that is not the one
// the chain recorded, not only an edited event.
func TestDossierScriptCatchesHiddenObjectionAndAlteredFiles(t *testing.T) {
	dir, files := objectedDossier(t)
	var proof map[string]any
	if err := json.Unmarshal(files["audit_proof.json"], &proof); err != nil {
		t.Fatal(err)
	}
	events := proof["events"].([]any)
	var kept []any
	for _, e := range events {
		if e.(map[string]any)["action"] != "contact.objected" {
			kept = append(kept, e)
		}
	}
	if len(kept) != len(events)-1 {
		t.Fatalf("%d contact.objected events in the proof, want 1", len(events)-len(kept))
	}
	tamper := func(name string, content []byte) func() {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.WriteFile(p, content, 0o600)
		return func() { os.WriteFile(p, files[name], 0o600) }
	}
	proof["events"] = kept
	hidden, _ := json.Marshal(proof)
	var bundle map[string]any
	if err := json.Unmarshal(files["contact.json"], &bundle); err != nil {
		t.Fatal(err)
	}
	var bundleKept []any
	for _, e := range bundle["audit_events"].([]any) {
		if e.(map[string]any)["action"] != "contact.objected" {
			bundleKept = append(bundleKept, e)
		}
	}
	bundle["audit_events"] = bundleKept
	hiddenBundle, _ := json.Marshal(bundle)
	var evidenceEml string
	for name := range files {
		if strings.HasPrefix(name, "evidence/") && bytes.Contains(files[name], []byte("200 pezzi")) {
			evidenceEml = name
		}
	}
	cases := []struct {
		name    string
		file    string
		content []byte
		want    string
	}{
		{"objection removed from the proof", "audit_proof.json", hidden, "(contact.objected) of contact.json is missing from audit_proof.json"},
		{"objection removed from contact.json", "contact.json", hiddenBundle, "contact.json does not match its SHA-256"},
		{"inquiry edited", evidenceEml, bytes.Replace(files[evidenceEml], []byte("200 pezzi"), []byte("2 pezzi"), 1), "not named by its SHA-256"},
		{"manifest replaced", "manifest.json", append([]byte(" "), files["manifest.json"]...), "not the one recorded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			restore := tamper(tc.file, tc.content)
			defer restore()
			out, err := run(t, dir, "python3", "verify_audit.py")
			if err == nil || !strings.Contains(out, tc.want) {
				t.Errorf("verify_audit.py: %v, want a problem saying %q:\n%s", err, tc.want, out)
			}
		})
	}
}

// The report says, in words, that the person objected and that marketing
// may no longer be sent to them.
func TestDossierShowsObjectionAndWhatMayBeSentNow(t *testing.T) {
	_, files := objectedDossier(t)
	html := string(files["dossier.html"])
	i := strings.Index(html, "Objections, unsubscribes and withdrawals")
	j := strings.Index(html, "6. Every action taken")
	if i < 0 || j < i {
		t.Fatal("dossier.html has no section on objections before the actions")
	}
	section := html[i:j]
	for _, want := range []string{"contact.objected", "one-click unsubscribe", "basis.withdrawn", "suppression.added",
		"<code>marketing</code></td><td><strong>no</strong>", "<code>inquiry_followup</code></td><td>yes"} {
		if !strings.Contains(section, want) {
			t.Errorf("objections section lacks %q:\n%s", want, section)
		}
	}
}
