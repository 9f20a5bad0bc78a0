package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	if os.Getenv("PGTEST_ABANDON_CLUSTER") != "" {
		abandonCluster()
	}
	Main(m)
}

// abandonCluster starts a private cluster and exits without stopping it,
// as a killed test process would. It prints the cluster's directory.
func abandonCluster() {
	s, err := startPrivate(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(s.tmpDir)
	os.Exit(0)
}

// TestAbandonedClusterIsStopped runs this test binary as a process that
// starts a private cluster and dies without cleaning up; the watchdog must
// stop the server and remove its directory.
func TestAbandonedClusterIsStopped(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PGTEST_ABANDON_CLUSTER=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	dir := strings.TrimSpace(string(out))
	if !strings.Contains(dir, "basis-pgtest-") {
		t.Fatalf("child printed %q, want the cluster directory", dir)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still there 3 minutes after its test process exited", dir)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// assertMigrated checks that db holds the schema with its seeded audit head.
func assertMigrated(t *testing.T, db *sqlx.DB) {
	t.Helper()
	var contacts, head int
	if err := db.Get(&contacts, `SELECT count(*) FROM contacts`); err != nil {
		t.Fatalf("contacts table: %v", err)
	}
	if err := db.Get(&head, `SELECT count(*) FROM audit_head WHERE id = 1 AND seq = 0`); err != nil {
		t.Fatalf("audit_head table: %v", err)
	}
	if contacts != 0 || head != 1 {
		t.Fatalf("fresh database has %d contacts and %d audit_head rows, want 0 and 1", contacts, head)
	}
}

func TestNewGivesEmptyMigratedDatabase(t *testing.T) {
	assertMigrated(t, New(t))
}

func TestNewDatabasesAreIsolated(t *testing.T) {
	a, b := New(t), New(t)
	if _, err := a.Exec(`CREATE TABLE only_in_a (v text); INSERT INTO only_in_a VALUES ('a')`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.Get(&n, `SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("a table created in one database shows in another")
	}
}

func TestDatabaseIsDroppedAtCleanup(t *testing.T) {
	s, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	var name string
	t.Run("user", func(t *testing.T) {
		db := New(t)
		if err := db.Get(&name, `SELECT current_database()`); err != nil {
			t.Fatal(err)
		}
	})
	var exists bool
	if err := s.admin.Get(&exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatalf("database %s still exists after its test ended", name)
	}
}

func TestDumpFindsTextAndBytea(t *testing.T) {
	db := New(t)
	if _, err := db.Exec(`CREATE TABLE probe (note text, raw bytea)`); err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: Lucia Bianchi <lucia.bianchi@example.it>\r\n\r\nCiao, citt\xc3\xa0 \x00\xff")
	if _, err := db.Exec(`INSERT INTO probe VALUES ('dpo-text@example.com', $1)`, raw); err != nil {
		t.Fatal(err)
	}
	dump := Dump(t, db)
	for _, want := range []string{"lucia.bianchi@example.it", "Ciao, città", "dpo-text@example.com", "audit_head:"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dump lacks %q:\n%s", want, dump)
		}
	}
}

func TestParallelNew(t *testing.T) {
	for i := 0; i < 4; i++ {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			assertMigrated(t, New(t))
		})
	}
}

// TestPrivateCluster forces the last resort, a cluster started with
// pglocal, even though another server may answer on 127.0.0.1:5432.
func TestPrivateCluster(t *testing.T) {
	s, err := startPrivate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.close(); err != nil {
			t.Error(err)
		}
	})
	_, db := s.newDB(t)
	assertMigrated(t, db)
}

func TestLeakedDatabasesAreRecognised(t *testing.T) {
	now := time.Now()
	mine := dbName("basis_test")
	cases := []struct {
		name string
		want bool
	}{
		{mine, false},
		{"basis_test_999999999_" + itoa(now.Unix()) + "_abc123", true}, // no such process
		{"basis_tpl_1_" + itoa(now.Add(-25*time.Hour).Unix()) + "_abc123", true},
		{"basis", false},
		{"basis_test_other", false},
	}
	for _, c := range cases {
		if got := leaked(c.name, now); got != c.want {
			t.Errorf("leaked(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
