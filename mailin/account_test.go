package mailin_test

import (
	"strings"
	"testing"

	"github.com/basis-crm/basis/mailin"
)

func TestAccountValidate(t *testing.T) {
	good := mailin.Account{Name: "shared", Host: "imap.example.com", Port: 993, TLS: "implicit",
		Username: "info@example.com", Password: "x", Mailbox: "INBOX", After: "flag"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid account: %v", err)
	}
	cases := []struct {
		name string
		edit func(*mailin.Account)
		want string
	}{
		{"tls unknown", func(a *mailin.Account) { a.TLS = "ssl" }, `mailin.accounts[0].tls: "ssl" is not one of implicit, starttls, none`},
		{"tls none remote", func(a *mailin.Account) { a.TLS = "none" }, "mailin.accounts[0].tls: none is allowed only for a loopback host"},
		{"after unknown", func(a *mailin.Account) { a.After = "delete" }, `mailin.accounts[0].after: "delete" is not one of flag, none, move:FOLDER`},
		{"move without folder", func(a *mailin.Account) { a.After = "move:" }, "names no folder"},
		{"no host", func(a *mailin.Account) { a.Host = "" }, "mailin.accounts[0].host: is empty"},
		{"bad port", func(a *mailin.Account) { a.Port = 0 }, "mailin.accounts[0].port: 0 is not a TCP port"},
		{"no user", func(a *mailin.Account) { a.Username = "" }, "mailin.accounts[0].username: is empty"},
		{"no name", func(a *mailin.Account) { a.Name = "" }, "mailin.accounts[0].name: is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := good
			tc.edit(&a)
			err := a.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestAccountValidateAllowsPlainLoopback(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "localhost", "::1"} {
		a := mailin.Account{Name: "t", Host: host, Port: 143, TLS: "none", Username: "u", Password: "p", After: "move:Done"}
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
}

func TestAccountValidateReportsEveryProblem(t *testing.T) {
	err := mailin.Account{Index: 3}.Validate()
	if err == nil {
		t.Fatal("empty account accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) < 5 {
		t.Errorf("want one line per problem, got %d:\n%v", len(lines), err)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "mailin.accounts[3].") {
			t.Errorf("line %q does not name the setting", l)
		}
	}
}
