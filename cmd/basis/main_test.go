package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basis-crm/basis/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// basisCLI runs command lines in-process against one fresh database.
type basisCLI struct {
	t   *testing.T
	env map[string]string
	dir string
}

func newCLI(t *testing.T) *basisCLI {
	url, _ := pgtest.NewURL(t)
	dir := t.TempDir()
	c := &basisCLI{t: t, dir: dir, env: map[string]string{
		"BASIS_DATABASE_URL": url,
		"BASIS_SECRET_KEY":   "cli-test-secret-0123456789abcdef0123456789",
		"BASIS_CONFIG":       filepath.Join(dir, "basis.yaml"),
		"USER":               "tester",
	}}
	c.writeFile("basis.yaml", "data_dir: "+dir+"\n")
	return c
}

// run executes one command line and returns exit code, stdout and stderr.
func (c *basisCLI) run(stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	env := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(k string) string { return c.env[k] }}
	code := run(context.Background(), args, env)
	return code, out.String(), errOut.String()
}

// ok runs a command that must succeed.
func (c *basisCLI) ok(args ...string) string {
	c.t.Helper()
	code, out, errOut := c.run("", args...)
	if code != 0 {
		c.t.Fatalf("basis %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// fails runs a command that must fail with one line on stderr containing want.
func (c *basisCLI) fails(want string, args ...string) {
	c.t.Helper()
	code, _, errOut := c.run("", args...)
	if code == 0 {
		c.t.Fatalf("basis %s: succeeded, want failure %q", strings.Join(args, " "), want)
	}
	if !strings.Contains(errOut, want) {
		c.t.Errorf("basis %s: stderr %q, want it to contain %q", strings.Join(args, " "), errOut, want)
	}
	if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) > 2 {
		c.t.Errorf("basis %s: %d lines on stderr, want one message", strings.Join(args, " "), len(lines))
	}
}

func (c *basisCLI) writeFile(name, content string) string {
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}

// pngBytes is the start of a PNG file: enough for content sniffing.
var pngBytes = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"

func TestCommandLineContract(t *testing.T) {
	c := newCLI(t)
	c.ok("migrate")
	if out := c.ok("migrate"); !strings.Contains(out, "0 migrations applied") {
		t.Errorf("second migrate: %q", out)
	}
	card := c.writeFile("card.png", pngBytes)
	c.ok("contacts", "add", "Mario.Rossi@Example.it", "--name", "Mario Rossi", "--purpose", "marketing", "--basis", "consent",
		"--source", "business_card", "--reason", "met at Vinitaly 2026, asked for the catalogue", "--evidence", card, "--company", "Rossi Srl")
	c.ok("activity", "log", "mario.rossi@example.it", "--kind", "call", "--reason", "catalogue follow-up", "--note", "wants prices")

	var show struct {
		Email   string `json:"email"`
		Name    string `json:"name"`
		Company string `json:"company"`
		Status  string `json:"status"`
		Source  string `json:"source"`
		Bases   []struct {
			Purpose, Kind, Source string
			EvidenceSHA256        string `json:"evidence_sha256"`
			Active                bool
		}
		Evidence []struct {
			Kind, SHA256 string
			ContentType  string `json:"content_type"`
		}
		Activities  []struct{ Kind, Reason, At string }
		Eligibility map[string]struct {
			Allowed bool
			Reason  string
		}
	}
	if err := json.Unmarshal([]byte(c.ok("contacts", "show", "mario.rossi@example.it", "--json")), &show); err != nil {
		t.Fatal(err)
	}
	if show.Email != "mario.rossi@example.it" || show.Name != "Mario Rossi" || show.Company != "Rossi Srl" || show.Status != "new" ||
		show.Source != "business_card" || len(show.Bases) != 1 || !show.Bases[0].Active || show.Bases[0].EvidenceSHA256 == "" ||
		len(show.Evidence) != 1 || show.Evidence[0].ContentType != "image/png" || show.Evidence[0].Kind != "business_card" ||
		len(show.Activities) != 1 || show.Activities[0].Reason != "catalogue follow-up" {
		t.Errorf("contacts show --json: %+v", show)
	}
	if e := show.Eligibility["marketing"]; !e.Allowed || e.Reason == "" {
		t.Errorf("marketing eligibility: %+v", e)
	}
	if e := show.Eligibility["inquiry_followup"]; e.Allowed {
		t.Errorf("inquiry_followup eligibility without a basis: %+v", e)
	}

	var list []map[string]any
	json.Unmarshal([]byte(c.ok("contacts", "list", "--json")), &list)
	if len(list) != 1 {
		t.Errorf("contacts list: %v", list)
	}
	zipPath := filepath.Join(c.dir, "mario.zip")
	c.ok("export", "mario.rossi@example.it", "-o", zipPath)
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 3 { // the card, contact.json, manifest.json
		t.Errorf("export has %d files", len(zr.File))
	}
	zr.Close()

	csv := c.writeFile("customers.csv", "email,name,company,phone\nanna@bianchi.it,Anna Bianchi,,\nluca@verdi.it,Luca Verdi,,\n")
	if out := c.ok("contacts", "import", csv, "--purpose", "marketing", "--basis", "soft_opt_in", "--source", "customer_relationship",
		"--reason", "customers with 2025 orders"); !strings.Contains(out, "added 2") {
		t.Errorf("import: %q", out)
	}
	c.ok("object", "anna@bianchi.it")
	c.fails("--all and --purpose exclude each other", "object", "anna@bianchi.it", "--all", "--purpose", "marketing")
	if out := c.ok("object", "anna@bianchi.it", "--all", "--reason", "by phone: no contact of any kind"); !strings.Contains(out, "objection recorded") {
		t.Errorf("object --all: %q", out)
	}
	c.ok("erase", "luca@verdi.it", "--reason", "Art. 17 request received 2026-11-29")
	if out := c.ok("contacts", "import", csv, "--purpose", "marketing", "--basis", "soft_opt_in", "--source", "customer_relationship",
		"--reason", "again"); !strings.Contains(out, "refused 2") {
		t.Errorf("re-import of an objector and an erased address: %q", out)
	}
	if out := c.ok("notices", "overdue"); !strings.Contains(out, "no privacy notice is overdue") {
		t.Errorf("notices overdue with contacts added today: %q", out)
	}
	if out := c.ok("notices", "update", "--dry-run"); !strings.Contains(out, "would queue it for 0 contacts") || !strings.Contains(out, "nothing written") {
		t.Errorf("notices update --dry-run with nobody told an earlier version: %q", out)
	}
	if out := c.ok("audit", "verify"); !strings.Contains(out, "audit chain ok") {
		t.Errorf("audit verify: %q", out)
	}
	code, out, errOut := c.run("a-long-enough-password\n", "user", "add", "anna@acme-srl.it", "--role", "staff")
	if code != 0 || strings.Contains(out, "password") {
		t.Errorf("user add with stdin password: %d %q %q", code, out, errOut)
	}
	if _, out, _ := c.run("", "user", "add", "boss@acme-srl.it", "--role", "admin"); !strings.Contains(out, "password (shown once)") {
		t.Errorf("user add without password: %q", out)
	}
}

func TestBadInputGetsOneClearLineAndWritesNothing(t *testing.T) {
	c := newCLI(t)
	c.ok("migrate")
	big := c.writeFile("big.png", pngBytes+strings.Repeat("x", 2048))
	c.writeFile("basis.yaml", "data_dir: "+c.dir+"\nevidence: {max_file_bytes: 1024}\n")
	add := func(email string, extra ...string) []string {
		return append([]string{"contacts", "add", email, "--name", "X", "--purpose", "marketing", "--basis", "consent", "--reason", "fair"}, extra...)
	}
	c.fails("invalid email address", add("not-an-address")...)
	c.fails(`purpose "newsletter" is not configured`, "contacts", "add", "a@example.it", "--purpose", "newsletter", "--basis", "consent", "--reason", "x")
	c.fails(`basis kind "opt_in" is not one of`, "contacts", "add", "a@example.it", "--purpose", "marketing", "--basis", "opt_in", "--reason", "x")
	c.fails("--purpose, --basis and --reason are required", "contacts", "add", "a@example.it", "--purpose", "marketing", "--basis", "consent")
	c.fails("larger than 1024 bytes", add("a@example.it", "--evidence", big)...)
	c.fails("no such file", add("a@example.it", "--evidence", filepath.Join(c.dir, "missing.png"))...)
	c.fails("not a scan", add("a@example.it", "--evidence", c.writeFile("card.txt", "hello"))...)
	csv := c.writeFile("bad.csv", "email,name\ngood@example.it,Good\nbroken,Bad\n")
	c.fails("bad.csv:3:", "contacts", "import", csv, "--purpose", "marketing", "--basis", "consent", "--reason", "x")
	c.fails("contact mario@example.it: not found", "activity", "log", "mario@example.it", "--kind", "call", "--reason", "x")
	c.fails(`--kind "visit" is not one of call, email, meeting, note`, "activity", "log", "a@example.it", "--kind", "visit", "--reason", "x")
	c.writeFile("basis.yaml", "organization: {nmae: x}\n")
	c.fails("field nmae not found", "contacts", "list")
	c.writeFile("basis.yaml", "")
	c.env["BASIS_DATABASE_URL"] = "postgres://postgres@127.0.0.1:1/basis?sslmode=disable&connect_timeout=2"
	c.fails("database unreachable", "contacts", "list")

	c.env["BASIS_DATABASE_URL"] = emptyDatabase(t)
	c.fails("run `basis migrate`", "contacts", "list")
	c.fails("run `basis migrate`", "serve")
}

// emptyDatabase returns the URL of a new database with no schema at all.
func emptyDatabase(t *testing.T) string {
	url, db := pgtest.NewURL(t)
	name := fmt.Sprintf("basis_empty_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatalf("pgtest URL %q: %v", url, err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestNothingWrittenByRefusedCommands(t *testing.T) {
	c := newCLI(t)
	c.ok("migrate")
	c.fails("invalid email address", "contacts", "add", "nope", "--purpose", "marketing", "--basis", "consent", "--reason", "x")
	csv := c.writeFile("bad.csv", "email,name\ngood@example.it,Good\nbroken,Bad\n")
	c.fails("bad rows", "contacts", "import", csv, "--purpose", "marketing", "--basis", "consent", "--reason", "x")
	var list []any
	json.Unmarshal([]byte(c.ok("contacts", "list", "--json")), &list)
	if len(list) != 0 {
		t.Errorf("refused commands wrote %d contacts", len(list))
	}
	if out := c.ok("audit", "verify", "--json"); !strings.Contains(out, `"events": 0`) {
		t.Errorf("refused commands wrote audit events: %s", out)
	}
}
