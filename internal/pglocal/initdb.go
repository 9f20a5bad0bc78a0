package pglocal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// superuser is the role initdb creates; the socket is the only way in.
const superuser = "postgres"

// confAppend goes at the end of postgresql.conf of a new cluster. The socket
// directory can change between runs (see socketDir), so it lives in
// basis.conf, rewritten at each start.
const confAppend = `
# Added by Basis (internal/pglocal): Unix socket only, no TCP.
listen_addresses = ''
include_if_exists = 'basis.conf'
`

// initCluster runs initdb into a scratch directory and renames it into place,
// so that an interrupted initdb never leaves a half-made cluster behind.
// Local (socket) connections are trusted: the socket directory is 0700 and
// owned by the server account, so only that account and root can reach it.
func (c *Cluster) initCluster(ctx context.Context) error {
	scratch := c.dataDir + ".init"
	if err := os.RemoveAll(scratch); err != nil {
		return fmt.Errorf("pglocal: remove %s: %w", scratch, err)
	}
	args := []string{"-D", scratch, "-U", superuser, "-E", "UTF8", "--locale=C",
		"--auth-local=trust", "--auth-host=reject", "--no-instructions"}
	if c.opts.Ephemeral {
		args = append(args, "--no-sync")
	}
	cmd := c.acct.command(ctx, c.dir, c.bins.path("initdb"), args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pglocal: initdb %s: %w: %s", scratch, err, lastLines(string(out), 10))
	}
	f, err := os.OpenFile(filepath.Join(scratch, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	_, err = f.WriteString(confAppend)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pglocal: configure %s: %w", scratch, err)
	}
	if err := os.Rename(scratch, c.dataDir); err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	c.log.Info("postgres cluster created", "dir", c.dataDir, "user", c.acct.name)
	return nil
}

// writeRuntimeConf writes basis.conf, included by postgresql.conf.
func (c *Cluster) writeRuntimeConf() error {
	quote := strings.NewReplacer(`\`, `\\`, `'`, `''`)
	conf := fmt.Sprintf("# Written by Basis at each start.\nunix_socket_directories = '%s'\nport = %d\n",
		quote.Replace(c.socketDir), port)
	if c.opts.Ephemeral {
		conf += "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
	}
	return c.acct.writeFile(filepath.Join(c.dataDir, "basis.conf"), []byte(conf))
}

// pgVersion returns the major version recorded in an existing cluster, or ""
// when there is none yet.
func pgVersion(dataDir string) string {
	b, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
