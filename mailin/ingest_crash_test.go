package mailin_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/bench/ingest/mailgen"
	"github.com/basis-crm/basis/internal/dovecot"
	"github.com/basis-crm/basis/internal/pgtest"
)

const crashSecret = "ingest-crash-secret-0123456789abcdef"

// TestIngestSurvivesKill9 kills `basis ingest --once` ten times at random
// moments while it works through 5,000 messages, then lets it finish: every
// IMAP message is stored exactly once and every sender is one contact.
func TestIngestSurvivesKill9(t *testing.T) {
	mix := mailgen.Mix{N: 5000, Senders: 1000, ForwardEvery: 7, BounceEvery: 499}
	bin := buildBasis(t)
	d := dovecot.Start(t)
	if err := mailgen.WriteMaildir(d.Maildir(), mix); err != nil {
		t.Fatal(err)
	}
	if st := d.Status(t, "INBOX"); *st.NumMessages != uint32(mix.N) { // Dovecot indexes the new files
		t.Fatalf("Dovecot sees %d messages, want %d", *st.NumMessages, mix.N)
	}
	url, db := pgtest.NewURL(t)
	cfg := crashConfig(t, d)

	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for kill := 1; kill <= 10; kill++ {
		before := countRows(t, db, `SELECT count(*) FROM inbound_messages`)
		cmd := exec.Command(bin, "-c", cfg, "ingest", "--once")
		cmd.Env = append(os.Environ(), "BASIS_DATABASE_URL="+url, "BASIS_SECRET_KEY="+crashSecret)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Wait for one to three batches to commit, then kill at a random
		// moment of the next one: while fetching, storing or committing.
		target := before + 100*(1+rnd.IntN(3))
		exited := false
		for !exited && countRows(t, db, `SELECT count(*) FROM inbound_messages`) < target {
			select {
			case err := <-done:
				exited = true
				t.Logf("run %d ended by itself (%v): %s", kill, err, out.String())
			case <-time.After(5 * time.Millisecond):
			}
		}
		if !exited {
			select {
			case err := <-done:
				t.Logf("run %d ended by itself (%v): %s", kill, err, out.String())
			case <-time.After(time.Duration(rnd.IntN(400)) * time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
			}
		}
		t.Logf("kill %d: %d messages stored so far", kill, countRows(t, db, `SELECT count(*) FROM inbound_messages`))
	}
	if out, err := runBasisCmd(bin, cfg, url, "ingest", "--once"); err != nil {
		t.Fatalf("final ingest --once: %v\n%s", err, out)
	}

	if n := countRows(t, db, `SELECT count(*) FROM inbound_messages`); n != mix.N {
		t.Errorf("%d stored messages, want %d: one per IMAP message", n, mix.N)
	}
	if n := countRows(t, db, `SELECT count(DISTINCT (uidvalidity, uid)) FROM inbound_messages`); n != mix.N {
		t.Errorf("%d distinct (uidvalidity, uid), want %d", n, mix.N)
	}
	if n := countRows(t, db, `SELECT count(DISTINCT sha256) FROM inbound_messages`); n != mix.N {
		t.Errorf("%d distinct stored messages, want %d", n, mix.N)
	}
	if n := countRows(t, db, `SELECT count(*) FROM evidence`); n != mix.N {
		t.Errorf("%d evidence rows, want %d", n, mix.N)
	}
	senders := mix.SenderSet()
	if n := countRows(t, db, `SELECT count(*) FROM contacts`); n != len(senders) {
		t.Errorf("%d contacts, want %d: one per sender", n, len(senders))
	}
	if n := countRows(t, db, `SELECT count(DISTINCT email) FROM contacts`); n != len(senders) {
		t.Errorf("%d distinct contact addresses, want %d", n, len(senders))
	}
	if out, err := runBasisCmd(bin, cfg, url, "audit", "verify"); err != nil || !strings.Contains(out, "audit chain ok") {
		t.Errorf("audit verify: %v\n%s", err, out)
	}
}

// buildBasis builds the basis command from the module root. The binary is
// built without the race detector: it is what gets killed, not what is tested.
func buildBasis(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found above mailin: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "basis")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/basis")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/basis: %v\n%s", err, out)
	}
	return bin
}

// crashConfig writes a basis.yaml whose one account is the Dovecot.
func crashConfig(t *testing.T, d *dovecot.Dovecot) string {
	t.Helper()
	cfg := fmt.Sprintf(`data_dir: %s
organization:
  staff_domains: [acme-srl.it]
mailin:
  accounts:
    - name: shared
      host: %s
      port: %d
      tls: none
      username: %s
      password: %s
      mailbox: INBOX
      after: flag
`, t.TempDir(), d.Host(), d.Port(), d.User, d.Password)
	path := filepath.Join(t.TempDir(), "basis.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runBasisCmd(bin, cfg, url string, args ...string) (string, error) {
	cmd := exec.Command(bin, append([]string{"-c", cfg}, args...)...)
	cmd.Env = append(os.Environ(), "BASIS_DATABASE_URL="+url, "BASIS_SECRET_KEY="+crashSecret)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func countRows(t *testing.T, db *sqlx.DB, q string) int {
	t.Helper()
	var n int
	if err := db.Get(&n, q); err != nil {
		t.Fatal(err)
	}
	return n
}
