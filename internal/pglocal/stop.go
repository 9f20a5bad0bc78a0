package pglocal

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"time"
)

// stopTimeout bounds a fast shutdown.
const stopTimeout = time.Minute

// Stop shuts the server down with a fast shutdown (pg_ctl stop -m fast):
// open sessions are ended and the cluster is left consistent. When sessions
// of other processes are still connected (another Basis process that
// attached to this cluster, a psql), the server is left running for them.
// Close this process's connection pools before calling Stop.
func (c *Cluster) Stop(ctx context.Context) error {
	unlock, err := lockDir(c.dir)
	if err != nil {
		return err
	}
	defer unlock()
	p, ok := readPidFile(c.dataDir)
	if !ok || !serverAlive(p.pid) {
		return nil
	}
	if n, err := c.otherSessions(ctx); err == nil && n > 0 {
		c.log.Info("postgres left running for other clients", "dir", c.dataDir, "sessions", n)
		return nil
	}
	cmd := c.acct.command(ctx, c.dir, c.bins.path("pg_ctl"), "stop", "-D", c.dataDir, "-m", "fast",
		"-w", "-t", strconv.Itoa(int(stopTimeout/time.Second)), "-s")
	if out, err := cmd.CombinedOutput(); err != nil {
		if p, ok := readPidFile(c.dataDir); !ok || !serverAlive(p.pid) {
			return nil
		}
		return fmt.Errorf("pglocal: stop PostgreSQL in %s: %w: %s", c.dataDir, err, lastLines(string(out), 5))
	}
	if c.socketDir != c.dir {
		_ = os.Remove(c.socketDir) // the private /tmp directory, empty now
	}
	c.log.Info("postgres stopped", "dir", c.dataDir)
	return nil
}

// otherSessions counts client sessions that do not belong to this process.
func (c *Cluster) otherSessions(ctx context.Context) (int, error) {
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	const q = `
		SELECT count(*) FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
		  AND application_name IS DISTINCT FROM $1`
	var n int
	err = db.QueryRowContext(ctx, q, appName).Scan(&n)
	return n, err
}
