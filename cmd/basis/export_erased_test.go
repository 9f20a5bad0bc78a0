package main

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Exporting an erased address writes its erasure record and says so in one
// line; an address Basis never held gets an error saying there is neither a
// contact nor an erasure record, and no file.
func TestExportOfErasedAddressWritesTheErasureRecord(t *testing.T) {
	c := newCLI(t)
	c.ok("migrate")
	c.ok("contacts", "add", "Mario.Rossi@Example.it", "--name", "Mario Rossi", "--purpose", "marketing", "--basis", "consent",
		"--source", "business_card", "--reason", "met at Vinitaly 2026")
	c.ok("activity", "log", "mario.rossi@example.it", "--kind", "call", "--reason", "catalogue follow-up", "--note", "wants prices")
	c.ok("erase", "mario.rossi@example.it", "--reason", "Art. 17 request received 2026-11-29")

	for _, dossier := range []bool{false, true} {
		path := filepath.Join(c.dir, "mario.zip")
		args := []string{"export", "mario.rossi@example.it", "-o", path}
		if dossier {
			args = append(args, "--dossier")
		}
		out := c.ok(args...)
		want := "mario.rossi@example.it was erased on " + time.Now().Format(time.DateOnly) +
			" (reason Art. 17 request received 2026-11-29): wrote the erasure record to " + path
		if !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
			t.Errorf("basis %s: %q, want one line starting %q", strings.Join(args, " "), out, want)
		}
		if dossier && !strings.Contains(out, "instead of a dossier") {
			t.Errorf("export --dossier of an erased address does not say there is no dossier: %q", out)
		}
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
			rc, _ := f.Open()
			body, _ := io.ReadAll(rc)
			rc.Close()
			if strings.Contains(strings.ToLower(string(body)), "rossi") {
				t.Errorf("%s in the erasure record names the person", f.Name)
			}
		}
		zr.Close()
		if strings.Join(names, ",") != "erasure.json,manifest.json" {
			t.Errorf("erasure record files: %v", names)
		}
	}

	missing := filepath.Join(c.dir, "nobody.zip")
	c.fails("no contact and no erasure record for this address", "export", "nobody@example.it", "-o", missing)
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("export of an unknown address left %s (%v)", missing, err)
	}
	if _, err := os.Stat(missing + ".partial"); !os.IsNotExist(err) {
		t.Errorf("export of an unknown address left %s.partial", missing)
	}
	if out := c.ok("audit", "verify"); !strings.Contains(out, "audit chain ok") {
		t.Errorf("audit verify: %q", out)
	}
}
