package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/internal/smtpsink"
)

// mailoutSettings are the mailout lines of a test basis.yaml.
type mailoutSettings struct {
	host, port, tls, smtpExtra string
	from, unsub, baseURL       string
	rate, concurrency          string
	dkim                       string // the dkim mapping, "" for none
}

func (s mailoutSettings) yaml(dir string) string {
	y := fmt.Sprintf(`data_dir: %s
web: { base_url: %q }
mailout:
  smtp: { host: %q, port: %s, tls: %q%s }
  from: %q
  unsubscribe_mailto: %q
  rate_per_second: %s
  concurrency: %s
`, dir, s.baseURL, s.host, s.port, s.tls, s.smtpExtra, s.from, s.unsub, s.rate, s.concurrency)
	if s.dkim != "" {
		y += "  dkim: " + s.dkim + "\n"
	}
	return y
}

// TestBadMailoutSettingsStopSendWithTheKeyToFix: every wrong mailout
// setting stops `basis send --once` (and so `basis serve`) before it sends
// or touches anything, with one line naming the key and the fix; the queued
// message is sent once the settings are right.
func TestBadMailoutSettingsStopSendWithTheKeyToFix(t *testing.T) {
	c := newCLI(t)
	c.ok("migrate")
	sink := smtpsink.Start(t)
	host, port, _ := strings.Cut(sink.Addr(), ":")
	good := mailoutSettings{host: host, port: port, tls: "none", from: "Acme S.r.l. <info@acme-srl.it>",
		unsub: "unsubscribe@acme-srl.it", baseURL: "https://crm.acme-srl.it", rate: "0", concurrency: "2"}
	c.writeFile("basis.yaml", good.yaml(c.dir))
	c.ok("contacts", "add", "mario.rossi@example.it", "--name", "Mario Rossi", "--purpose", "inquiry_followup",
		"--basis", "legitimate_interest", "--source", "manual", "--reason", "asked for a quote by phone")
	c.ok("consent", "request", "mario.rossi@example.it", "--purpose", "marketing")

	cfgFile := filepath.Join(c.dir, "basis.yaml")
	missingKey := filepath.Join(c.dir, "missing.pem")
	cases := []struct {
		name string
		mod  func(*mailoutSettings)
		want string
	}{
		{"unknown tls mode", func(s *mailoutSettings) { s.tls = "ssl" },
			`config ` + cfgFile + `: mailout.smtp.tls: "ssl" is not one of implicit, starttls, none (implicit for port 465, starttls for 587)`},
		{"tls none to a remote host", func(s *mailoutSettings) { s.host = "smtp.example.com" },
			`mailout.smtp.tls: "none" is only allowed for a loopback host, not "smtp.example.com" (use starttls or implicit)`},
		{"missing from", func(s *mailoutSettings) { s.from = "" }, `mailout: from "": mail: no address (set mailout.from, e.g.`},
		{"bad from", func(s *mailoutSettings) { s.from = "Acme <info>" }, `mailout: from "Acme <info>"`},
		{"negative rate", func(s *mailoutSettings) { s.rate = "-5" }, "mailout.rate_per_second: -5 must be 0 (unlimited) or more"},
		{"zero concurrency", func(s *mailoutSettings) { s.concurrency = "0" },
			"config " + cfgFile + ": mailout.concurrency: 0 must be at least 1 (the number of SMTP connections, e.g. 4)"},
		{"negative concurrency", func(s *mailoutSettings) { s.concurrency = "-1" }, "mailout.concurrency: -1 must be at least 1"},
		{"password_env unset", func(s *mailoutSettings) { s.smtpExtra = ", username: basis, password_env: BASIS_TEST_SMTP_PW" },
			"config " + cfgFile + ": mailout.smtp.password_env: the environment variable BASIS_TEST_SMTP_PW is not set or empty (set it to the SMTP password, or remove password_env)"},
		{"password without username", func(s *mailoutSettings) { s.smtpExtra = ", password: s3cret" },
			"mailout.smtp.password is set but mailout.smtp.username is empty (set the username, or remove the password)"},
		{"base_url missing", func(s *mailoutSettings) { s.baseURL = "" }, `web.base_url: "" is not an http(s) URL (write the address people open Basis at, e.g. https://crm.acme-srl.it: links in mail point here)`},
		{"base_url invalid", func(s *mailoutSettings) { s.baseURL = "crm.acme-srl.it" }, `web.base_url: "crm.acme-srl.it" is not an http(s) URL`},
		{"unsubscribe_mailto invalid", func(s *mailoutSettings) { s.unsub = "unsubscribe" },
			`mailout: unsubscribe_mailto "unsubscribe": mail: missing '@' or angle-addr (use a bare address such as unsubscribe@acme-srl.it)`},
		{"dkim key missing", func(s *mailoutSettings) {
			s.dkim = `{domain: acme-srl.it, selector: sel1, private_key_file: "` + missingKey + `"}`
		},
			"mailout.dkim.private_key_file " + missingKey + ": open " + missingKey + ": no such file or directory (check the path and that basis may read it)"},
		{"dkim key not PEM", func(s *mailoutSettings) {
			s.dkim = `{domain: acme-srl.it, selector: sel1, private_key_file: "` + c.writeFile("dkim.txt", "hello") + `"}`
		}, "not a PEM file (want a PEM private key, e.g. from openssl genpkey -algorithm ed25519 -out dkim.pem)"},
	}
	for _, tc := range cases { // not subtests: c reports on the parent test
		s := good
		tc.mod(&s)
		c.writeFile("basis.yaml", s.yaml(c.dir))
		t.Logf("%s:", tc.name)
		c.fails(tc.want, "send", "--once")
		c.fails(tc.want, "consent", "request", "mario.rossi@example.it", "--purpose", "marketing")
		if strings.HasPrefix(tc.name, "password_env") {
			// Commands that send nothing work without the password: an
			// operator's shell may lack the variable, and a campaign must
			// still be listed, paused or cancelled.
			c.ok("campaign", "list")
		}
	}
	s := good
	s.concurrency = "0"
	c.writeFile("basis.yaml", strings.Replace(s.yaml(c.dir), "web: {", `web: { listen: "127.0.0.1:0",`, 1))
	c.fails("mailout.concurrency: 0 must be at least 1", "serve") // at startup, not at the first send

	db := sqlx.MustOpen("postgres", c.env["BASIS_DATABASE_URL"])
	defer db.Close()
	var rows []struct {
		Kind     string `db:"kind"`
		Status   string `db:"status"`
		Attempts int    `db:"attempts"`
	}
	if err := db.Select(&rows, `SELECT kind, status, attempts FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Kind != "consent_request" || rows[0].Status != "queued" || rows[0].Attempts != 0 {
		t.Fatalf("outbox after the refused runs: %+v, want the one consent request queued and never attempted", rows)
	}
	if sink.Count() != 0 {
		t.Fatalf("%d messages sent with wrong settings", sink.Count())
	}

	c.writeFile("basis.yaml", good.yaml(c.dir))
	if out := c.ok("send", "--once"); !strings.HasPrefix(out, "sent 2, retried 0, failed 0") {
		t.Fatalf("send with the settings fixed: %q, want the consent request and the notice sent", out)
	}
	confirm := 0
	for _, m := range sink.Messages() {
		if strings.Contains(strings.ReplaceAll(string(m.Raw), "=\r\n", ""), "https://crm.acme-srl.it/") &&
			strings.Contains(string(m.Raw), "/confirm/") {
			confirm++
		}
	}
	if confirm != 1 {
		t.Fatalf("%d confirmation mails arrived, want the one queued before the bad settings", confirm)
	}
}
