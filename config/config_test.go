package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "basis.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExampleMatchesDefaults(t *testing.T) {
	cfg, err := Load("../config.example.yaml", true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.File = ""
	if want := Default(); !reflect.DeepEqual(cfg, want) {
		t.Errorf("config.example.yaml differs from Default():\n got %+v\nwant %+v", cfg, want)
	}
}

func TestMissingFileIsDefaultsUnlessRequired(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	if _, err := Load(missing, false, noEnv); err != nil {
		t.Fatalf("optional missing file: %v", err)
	}
	_, err := Load(missing, true, noEnv)
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("required missing file: got %v, want an error naming the file", err)
	}
}

func TestUnknownKeyNamesKeyAndFile(t *testing.T) {
	path := writeConfig(t, "organization:\n  nmae: Acme\n")
	_, err := Load(path, true, noEnv)
	if err == nil || !strings.Contains(err.Error(), "nmae") || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v, want an error naming key nmae and %s", err, path)
	}
}

func TestValidationMessages(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"organization: {default_language: fr}", `organization.default_language: "fr" is not one of it, en`},
		{"policy: {purposes: {marketing: [consent, opt_in]}}", `policy.purposes.marketing: "opt_in" is not one of`},
		{"policy: {purposes: {marketing: []}}", "policy.purposes.marketing: no basis kinds"},
		{"policy: {legitimate_interest_months: 0}", "policy.legitimate_interest_months: 0 must be positive"},
		{"web: {listen: localhost}", `web.listen: "localhost" is not host:port`},
		{"web: {base_url: crm.acme.it}", `web.base_url: "crm.acme.it" is not an http(s) URL`},
		{"database: {url: mysql://x}", `database.url: "mysql://x" is not a postgres:// URL`},
		{"secret_key: short", "secret_key: too short"},
		{"organization: {staff_domains: [info@acme.it]}", `organization.staff_domains[0]: "info@acme.it" is not a domain name`},
	}
	for _, tc := range cases {
		_, err := Load(writeConfig(t, tc.yaml), true, noEnv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestEnvironmentOverridesSecrets(t *testing.T) {
	path := writeConfig(t, "mailin:\n  accounts:\n    - {name: shared, password_env: IMAP_PW}\nmailout:\n  smtp: {password_env: SMTP_PW}\n")
	env := map[string]string{
		"BASIS_DATABASE_URL": "postgres://u@127.0.0.1/basis", "BASIS_SECRET_KEY": strings.Repeat("k", 40),
		"IMAP_PW": "imap-secret", "SMTP_PW": "smtp-secret",
	}
	cfg, err := Load(path, true, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database.URL != env["BASIS_DATABASE_URL"] || cfg.SecretKey != env["BASIS_SECRET_KEY"] ||
		cfg.Mailin.Accounts[0].Password != "imap-secret" || cfg.Mailout.SMTP.Password != "smtp-secret" {
		t.Errorf("environment not applied: %+v", cfg)
	}
}
