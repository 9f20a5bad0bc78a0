// Package pglocal runs the private PostgreSQL cluster Basis uses when no
// database URL is configured: created with initdb on first use from the
// PostgreSQL binaries installed on the machine, listening only on a Unix
// socket, and stopped when Basis exits.
//
// Layout of the cluster directory (data_dir/postgres by default):
//
//	data/        the cluster (PGDATA)
//	server.log   the server's log
//	lock         serialises start and stop between Basis processes
//	socket_dir   only when the directory's path is too long for a socket:
//	             the private /tmp directory that holds the socket instead
//
// When Basis runs as root the server runs as an unprivileged account (see
// account); that account must be able to traverse the parents of the
// cluster directory, and Start says so when it cannot (it never changes the
// permissions of directories it did not create).
//
// When the cluster is already running (another Basis process on the same
// data_dir, say `basis contacts list` beside `basis serve`), Start connects
// to it instead of failing, and Stop leaves the server running while other
// processes are connected: the last Basis process out stops it.
package pglocal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/lib/pq"
)

// Cluster is a private PostgreSQL server reached through a Unix socket.
type Cluster struct {
	dir       string
	dataDir   string
	logFile   string
	socketDir string
	port      int
	bins      binaries
	acct      account
	opts      Options
	log       *slog.Logger
}

// appName tags this process's sessions so Stop can tell them from others.
var appName = "basis-" + strconv.Itoa(os.Getpid())

// readyTimeout bounds how long Start waits for a server to accept connections.
const readyTimeout = 2 * time.Minute

// Options tune a cluster; the zero value is right for Basis's data.
type Options struct {
	// Ephemeral trades durability for speed, for throw-away test clusters:
	// initdb skips fsync and the server runs with fsync, full_page_writes
	// and synchronous_commit off. A crash can lose or corrupt its data.
	Ephemeral bool
}

// Start makes sure the cluster in dir exists and runs, creating it with
// initdb on first use, and creates the database "basis" if missing.
func Start(ctx context.Context, dir string, log *slog.Logger) (*Cluster, error) {
	return StartWith(ctx, dir, log, Options{})
}

// StartWith is Start with options.
func StartWith(ctx context.Context, dir string, log *slog.Logger, opts Options) (*Cluster, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	c := &Cluster{dir: dir, dataDir: filepath.Join(dir, "data"), logFile: filepath.Join(dir, "server.log"), port: port, log: log, opts: opts}
	if c.bins, err = findBinaries(pgVersion(c.dataDir)); err != nil {
		return nil, err
	}
	if c.acct, err = serverAccount(c.dataDir); err != nil {
		return nil, err
	}
	if err := c.acct.mkdir(dir); err != nil {
		return nil, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := c.startServer(ctx); err != nil {
		return nil, err
	}
	if err := c.ensureDatabase(ctx, "basis"); err != nil {
		return nil, err
	}
	return c, nil
}

// startServer attaches to a running server or starts one.
func (c *Cluster) startServer(ctx context.Context) error {
	if p, ok := readPidFile(c.dataDir); ok {
		if serverAlive(p.pid) {
			c.socketDir = p.socketDir
			if p.port > 0 {
				c.port = p.port
			}
			c.log.Info("postgres already running, connecting to it", "dir", c.dataDir, "pid", p.pid)
			return c.waitReady(ctx)
		}
		c.log.Warn("postgres left a stale postmaster.pid, removing it", "dir", c.dataDir, "pid", p.pid)
		if err := removeStale(c.dataDir, p); err != nil {
			return fmt.Errorf("pglocal: remove stale lock files in %s: %w", c.dataDir, err)
		}
	}
	if _, err := os.Stat(c.dataDir); errors.Is(err, os.ErrNotExist) {
		if err := c.initCluster(ctx); err != nil {
			return err
		}
	}
	var err error
	if c.socketDir, err = c.acct.socketDir(c.dir); err != nil {
		return err
	}
	if err := c.writeRuntimeConf(); err != nil {
		return err
	}
	rotateLog(c.logFile)
	cmd := c.acct.command(ctx, c.dir, c.bins.path("pg_ctl"), "start", "-D", c.dataDir, "-l", c.logFile,
		"-w", "-t", strconv.Itoa(int(readyTimeout/time.Second)), "-s")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pglocal: start PostgreSQL in %s: %w: %s\nlast lines of %s:\n%s",
			c.dataDir, err, lastLines(string(out), 5), c.logFile, logTail(c.logFile, 20))
	}
	c.log.Info("postgres started", "dir", c.dataDir, "socket_dir", c.socketDir, "user", c.acct.name)
	return c.waitReady(ctx)
}

// URL returns a lib/pq connection URL for database on this cluster.
func (c *Cluster) URL(database string) string {
	q := url.Values{}
	q.Set("host", c.socketDir)
	q.Set("port", strconv.Itoa(c.port))
	q.Set("application_name", appName)
	u := url.URL{Scheme: "postgres", User: url.User(superuser), Path: "/" + database, RawQuery: q.Encode()}
	return u.String()
}

// Dir returns the cluster directory.
func (c *Cluster) Dir() string { return c.dir }

// waitReady polls until the server accepts connections.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	defer db.Close()
	for {
		err := db.PingContext(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pglocal: PostgreSQL in %s does not accept connections: %w\nlast lines of %s:\n%s",
				c.dataDir, err, c.logFile, logTail(c.logFile, 20))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ensureDatabase creates database name unless it exists.
func (c *Cluster) ensureDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("pglocal: look for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "42P04" { // duplicate_database
		err = nil
	}
	if err != nil {
		return fmt.Errorf("pglocal: create database %s: %w", name, err)
	}
	return nil
}

// PID returns the process id of the running server, or 0 when it is not
// running.
func (c *Cluster) PID() int {
	if p, ok := readPidFile(c.dataDir); ok && serverAlive(p.pid) {
		return p.pid
	}
	return 0
}
