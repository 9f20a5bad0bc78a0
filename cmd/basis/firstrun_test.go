package main

import (
	"bytes"
	"context"
	"encoding/json"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/internal/pglocal"
)

// syncBuffer is a bytes.Buffer safe for the serving goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestFirstRunShowsTheProductWorking runs what `make run` does on a fresh
// machine, in a temporary directory: the embedded database, migrate, serve
// in demo mode; the seeded inquiries are captured and the privacy notices
// are caught by the demo SMTP catcher.
func TestFirstRunShowsTheProductWorking(t *testing.T) {
	dir, err := pglocal.MkdirTemp("basis-firstrun-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	config := filepath.Join(dir, "basis.yaml")
	if err := os.WriteFile(config, []byte("data_dir: "+filepath.Join(dir, "var")+"\nweb: {listen: \"127.0.0.1:0\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"BASIS_CONFIG": config, "USER": "tester"}
	getenv := func(k string) string { return env[k] }
	var out, errOut syncBuffer
	cmd := func(args ...string) int {
		return run(context.Background(), args, &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: getenv})
	}
	if code := cmd("migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut.String())
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: getenv})
	}()
	defer func() {
		stop()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, errOut.String())
			}
		case <-time.After(60 * time.Second):
			t.Error("serve did not stop within a minute of SIGINT")
		}
	}()

	db := waitForEmbeddedDB(t, filepath.Join(dir, "var", "postgres"), done)
	var captured, notices int
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) && (captured == 0 || notices == 0) {
		db.Get(&captured, `SELECT count(*) FROM contacts WHERE source IN ('inbound_email', 'forwarded_email')`)
		db.Get(&notices, `SELECT count(*) FROM outbox WHERE kind = 'notice' AND status = 'sent'`)
		time.Sleep(200 * time.Millisecond)
	}
	if captured == 0 || notices == 0 {
		t.Fatalf("after 90 s: %d inquiries captured, %d notices sent to the catcher\nstdout: %s\nstderr: %s", captured, notices, out.String(), errOut.String())
	}
	for _, want := range []string{"DEMO MODE", "First run: admin account created", "password:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first-run output lacks %q:\n%s", want, out.String())
		}
	}
	var list []json.RawMessage
	var listOut syncBuffer
	if code := run(context.Background(), []string{"contacts", "list", "--json"}, &cli{stdout: &listOut, stderr: &errOut, getenv: getenv}); code != 0 {
		t.Fatalf("contacts list beside serve: %s", errOut.String())
	}
	if err := json.Unmarshal([]byte(listOut.String()), &list); err != nil || len(list) < captured {
		t.Errorf("contacts list beside serve: %d contacts, %v", len(list), err)
	}
}

// waitForEmbeddedDB connects to the cluster serve started through its Unix
// socket (without starting or stopping it), once the first run is done.
func waitForEmbeddedDB(t *testing.T, clusterDir string, done chan int) *sqlx.DB {
	t.Helper()
	url := "postgres://postgres@/basis?host=" + neturl.QueryEscape(clusterDir) + "&port=5432&sslmode=disable"
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve exited early with %d", code)
		default:
		}
		var n int
		if db.Get(&n, `SELECT count(*) FROM users`) == nil && n > 0 {
			return db
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatal("the embedded database did not come up within 60 s")
	return nil
}
