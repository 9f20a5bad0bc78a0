package pglocal

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// port names the socket file (.s.PGSQL.5432); no TCP port is opened.
const port = 5432

// maxSocketPath is the longest Unix socket path Linux accepts (sun_path
// holds 108 bytes including the terminating NUL).
const maxSocketPath = 107

func socketPath(dir string) string {
	return filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(port))
}

func usableSocketDir(dir string) bool {
	return len(socketPath(dir)) <= maxSocketPath && !strings.ContainsAny(dir, ",\n")
}

// socketDir returns where the server puts its socket: the cluster directory
// itself when the socket path fits, otherwise a private directory under /tmp
// (mode 0700, owned by the server account) whose name is recorded in
// <dir>/socket_dir so that later runs reuse it.
func (a account) socketDir(dir string) (string, error) {
	if usableSocketDir(dir) {
		return dir, nil
	}
	record := filepath.Join(dir, "socket_dir")
	if b, err := os.ReadFile(record); err == nil {
		if p := strings.TrimSpace(string(b)); a.ownsPrivateDir(p) && usableSocketDir(p) {
			return p, nil
		}
	}
	p, err := os.MkdirTemp("/tmp", "basis-pg-")
	if err != nil {
		return "", fmt.Errorf("pglocal: socket directory: %w", err)
	}
	if err := a.chown(p); err != nil {
		return "", err
	}
	if err := os.WriteFile(record, []byte(p+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("pglocal: record socket directory: %w", err)
	}
	return p, nil
}

// ownsPrivateDir reports whether p is a real directory (not a symlink),
// mode 0700, owned by the account: safe to hold the server's socket.
func (a account) ownsPrivateDir(p string) bool {
	fi, err := os.Lstat(p)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == a.uid
}
