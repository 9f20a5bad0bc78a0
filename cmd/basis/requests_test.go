package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRequestsHoldRetentionRegisterAndDossierCommands(t *testing.T) {
	c := newCLI(t)
	c.ok("migrate")
	card := c.writeFile("card.pdf", "%PDF-1.4\n% Mario Rossi card\n%%EOF\n")
	c.ok("contacts", "add", "mario.rossi@example.it", "--name", "Mario Rossi", "--purpose", "inquiry_followup",
		"--basis", "legitimate_interest", "--source", "business_card", "--reason", "met at the fair", "--evidence", card)
	out := c.ok("requests", "add", "mario.rossi@example.it", "--kind", "access", "--channel", "email", "--received", "2026-01-31")
	if !strings.Contains(out, "due 2026-02-28") {
		t.Errorf("requests add: %q, want due 2026-02-28", out)
	}
	c.fails("--kind", "requests", "add", "x@example.org", "--channel", "email")
	c.fails("not one of", "requests", "add", "x@example.org", "--kind", "wish", "--channel", "email")
	var list []map[string]any
	if err := json.Unmarshal([]byte(c.ok("requests", "list", "--due-within", "7d", "--json")), &list); err != nil || len(list) != 1 {
		t.Fatalf("requests list --json: %v %v", list, err)
	}
	c.fails("first month ended", "requests", "extend", "1", "--months", "1", "--reason", "complex")
	c.fails("-o FILE.zip", "requests", "fulfil", "1")
	zipPath := filepath.Join(c.dir, "access.zip")
	if out := c.ok("requests", "fulfil", "1", "-o", zipPath); !strings.Contains(out, "fulfilled") {
		t.Errorf("requests fulfil: %q", out)
	}
	if _, err := os.Stat(zipPath); err != nil {
		t.Errorf("access export: %v", err)
	}
	c.ok("requests", "add", "mario.rossi@example.it", "--kind", "access", "--channel", "email")
	c.fails("--ground and --reason", "requests", "refuse", "2", "--ground", "excessive")
	c.fails("not one of", "requests", "refuse", "2", "--ground", "boring", "--reason", "x")
	if out := c.ok("requests", "refuse", "2", "--ground", "excessive", "--reason", "second identical request in a week, already answered"); !strings.Contains(out, "request 2 refused (excessive)") ||
		!strings.Contains(out, "supervisory authority") {
		t.Errorf("requests refuse: %q", out)
	}

	dossierPath := filepath.Join(c.dir, "dossier.zip")
	c.ok("export", "mario.rossi@example.it", "--dossier", "-o", dossierPath)
	data, _ := os.ReadFile(dossierPath)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["dossier.html"] || !names["dossier.pdf"] || !names["audit_proof.json"] {
		t.Errorf("dossier files: %v", names)
	}
	if out := c.ok("audit", "proof", "1"); !strings.Contains(out, "ok: event 1") {
		t.Errorf("audit proof: %q", out)
	}

	out = c.ok("register")
	for _, want := range []string{"# Record of processing activities", "inquiry_followup", "GDPR Art. 6(1)(f)", "after 24 months"} {
		if !strings.Contains(out, want) {
			t.Errorf("register lacks %q", want)
		}
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(c.ok("register", "--json")), &rec); err != nil || rec["controller"] == nil {
		t.Errorf("register --json: %v %v", rec, err)
	}
	if out := c.ok("retention", "run", "--dry-run"); !strings.Contains(out, "would erase 0 contacts") {
		t.Errorf("retention dry run: %q", out)
	}
	c.fails("reason", "hold", "add", "1")
	if out := c.ok("hold", "add", "1", "--reason", "lawsuit"); !strings.Contains(out, "hold 1 placed") {
		t.Errorf("hold add: %q", out)
	}
	c.ok("erase", "mario.rossi@example.it", "--reason", "Art. 17")
	if out := c.ok("hold", "lift", "1"); !strings.Contains(out, "erased") {
		t.Errorf("hold lift after erasure: %q", out)
	}
	c.ok("audit", "verify")
}
