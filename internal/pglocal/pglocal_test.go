package pglocal

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clusterDir returns a cluster directory inside a temporary directory the
// server account can reach, removed when the test ends.
func clusterDir(t *testing.T) string {
	t.Helper()
	parent, err := MkdirTemp("pglocal-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	return filepath.Join(parent, "postgres")
}

// quick makes throw-away clusters for the tests that are not about data
// surviving a restart.
var quick = Options{Ephemeral: true}

func mustStart(t *testing.T, dir string, opts Options) *Cluster {
	t.Helper()
	c, err := StartWith(context.Background(), dir, quiet, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	return c
}

func open(t *testing.T, c *Cluster) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", c.URL("basis"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStartKeepsDataAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	dir := clusterDir(t)
	c := mustStart(t, dir, Options{})
	db := open(t, c)
	if _, err := db.ExecContext(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if p, ok := readPidFile(c.dataDir); ok && serverAlive(p.pid) {
		t.Fatalf("server pid %d still running after Stop", p.pid)
	}

	c = mustStart(t, dir, Options{})
	db = open(t, c)
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, `SELECT v FROM kept`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != "still here" {
		t.Fatalf("got %q after restart", v)
	}
	var listen string
	if err := db.QueryRowContext(ctx, `SHOW listen_addresses`).Scan(&listen); err != nil || listen != "" {
		t.Fatalf("listen_addresses = %q (%v), want no TCP", listen, err)
	}
	db.Close()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestStartAttachesToRunningCluster(t *testing.T) {
	dir := clusterDir(t)
	first := mustStart(t, dir, quick)
	second := mustStart(t, dir, quick)
	if first.URL("basis") != second.URL("basis") {
		t.Fatalf("second Start made a new server: %s vs %s", second.URL("basis"), first.URL("basis"))
	}
	db := open(t, second)
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
}

func TestStartRecoversFromStalePidFile(t *testing.T) {
	ctx := context.Background()
	dir := clusterDir(t)
	c := mustStart(t, dir, quick)
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// A crash leaves postmaster.pid naming a process that is gone or, after
	// a reboot, a pid reused by another program: this test process.
	stale := []byte(strings.Join([]string{strconv.Itoa(os.Getpid()), c.dataDir, "0", "5432", c.socketDir, "", "0", "ready", ""}, "\n"))
	if err := os.WriteFile(filepath.Join(c.dataDir, "postmaster.pid"), stale, 0o600); err != nil {
		t.Fatal(err)
	}
	c = mustStart(t, dir, quick)
	db := open(t, c)
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
}

func TestLongDirectoryUsesShortSocketDir(t *testing.T) {
	dir := filepath.Join(clusterDir(t), strings.Repeat("d", 100))
	c := mustStart(t, dir, quick)
	if c.socketDir == dir || len(socketPath(c.socketDir)) > maxSocketPath {
		t.Fatalf("socket dir %q for a cluster in a %d-byte path", c.socketDir, len(dir))
	}
	db := open(t, c)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.socketDir); !os.IsNotExist(err) {
		t.Errorf("Stop left the socket directory %s behind (%v)", c.socketDir, err)
	}
}

func TestNoBinariesSaysWhatToInstall(t *testing.T) {
	saved := binDirs
	t.Cleanup(func() { binDirs = saved })
	empty := t.TempDir()
	binDirs = func() []string { return []string{empty} }

	dir := filepath.Join(t.TempDir(), "postgres")
	_, err := Start(context.Background(), dir, quiet)
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("Start without binaries: %v, want ErrNoBinaries", err)
	}
	msg := err.Error()
	for _, want := range []string{"apt-get install postgresql", "BASIS_DATABASE_URL"} {
		if !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
			t.Errorf("message %q should be one line mentioning %q", msg, want)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Start without binaries created %s", dir)
	}
}

func TestNewestVersionFirst(t *testing.T) {
	got := newestFirst([]string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"})
	want := []string{"/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/9.6/bin"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestUnreachableDirectoryIsExplained: as root the server runs as another
// account, which cannot enter a 0700 root directory such as t.TempDir();
// Start must say so instead of failing inside initdb. As a normal user the
// same directory simply works.
func TestUnreachableDirectoryIsExplained(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "postgres")
	c, err := Start(context.Background(), dir, quiet)
	if os.Geteuid() != 0 {
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err == nil {
		_ = c.Stop(context.Background())
		t.Fatal("Start as root in a 0700 root directory succeeded; want a clear error")
	}
	if !strings.Contains(err.Error(), "cannot reach") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %q should be one line saying the server account cannot reach the directory", err)
	}
}
