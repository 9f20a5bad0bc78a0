package main

import (
	"os/user"
	"testing"
)

// The audit log names who ran a command: BASIS_ACTOR first, then $USER,
// then the system account when USER is not set (cron, systemd).
func TestCLIActorNamesWhoRanTheCommand(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	if a := cliActor(env(map[string]string{"BASIS_ACTOR": "anna@acme-srl.it", "USER": "root"})); a != "user:anna@acme-srl.it" {
		t.Errorf("with BASIS_ACTOR: %q", a)
	}
	if a := cliActor(env(map[string]string{"USER": "mario"})); a != "cli:mario" {
		t.Errorf("with USER: %q", a)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatalf("the current system account: %v", err)
	}
	if a := cliActor(env(nil)); string(a) != "cli:"+u.Username {
		t.Errorf("without USER: %q, want cli:%s", a, u.Username)
	}
}
