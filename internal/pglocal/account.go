package pglocal

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// account is the operating-system user the PostgreSQL programs run as.
// PostgreSQL refuses to run as root, so when Basis runs as root the server
// runs as the owner of an existing cluster, else the "postgres" system user,
// else "nobody"; otherwise it runs as the current user.
type account struct {
	name     string
	uid, gid int
	switched bool // the programs run as this account instead of the current user
}

func serverAccount(dataDir string) (account, error) {
	if os.Geteuid() != 0 {
		name := strconv.Itoa(os.Getuid())
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		return account{name: name, uid: os.Getuid(), gid: os.Getgid()}, nil
	}
	if fi, err := os.Stat(dataDir); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
			name := strconv.Itoa(int(st.Uid))
			if u, err := user.LookupId(name); err == nil {
				name = u.Username
			}
			return account{name: name, uid: int(st.Uid), gid: int(st.Gid), switched: true}, nil
		}
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 == nil && err2 == nil {
			return account{name: name, uid: uid, gid: gid, switched: true}, nil
		}
	}
	return account{}, fmt.Errorf("pglocal: running as root but neither user postgres nor nobody exists: create one (adduser --system postgres) or run basis as a normal user")
}

// command prepares a PostgreSQL program to run as the account, with a clean
// environment (no PG* variables, C locale) in dir.
func (a account) command(ctx context.Context, dir, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = serverEnv(os.Environ())
	if a.switched {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
			Uid: uint32(a.uid), Gid: uint32(a.gid), Groups: []uint32{},
		}}
	}
	return cmd
}

func serverEnv(env []string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "LC_ALL=C")
}

// mkdir creates dir (mode 0700) owned by the account. Missing parents are
// created too: mode 0711 when the server runs as another account, so that it
// can traverse them without listing them.
func (a account) mkdir(dir string) error {
	parentMode := os.FileMode(0o700)
	if a.switched {
		parentMode = 0o711
	}
	if err := mkdirAllMode(filepath.Dir(dir), parentMode); err != nil {
		return fmt.Errorf("pglocal: create %s: %w", filepath.Dir(dir), err)
	}
	if err := a.checkReachable(dir); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return fmt.Errorf("pglocal: create %s: %w", dir, err)
	}
	return a.chown(dir)
}

// mkdirAllMode is os.MkdirAll with an exact mode (no umask) for the
// directories it creates.
func mkdirAllMode(dir string, mode os.FileMode) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := mkdirAllMode(filepath.Dir(dir), mode); err != nil {
		return err
	}
	if err := os.Mkdir(dir, mode); err != nil {
		if os.IsExist(err) {
			return nil
		}
		return err
	}
	return os.Chmod(dir, mode)
}

// writeFile writes a file readable only by the account.
func (a account) writeFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("pglocal: write %s: %w", path, err)
	}
	return a.chown(path)
}

func (a account) chown(path string) error {
	if !a.switched {
		return nil
	}
	if err := os.Chown(path, a.uid, a.gid); err != nil {
		return fmt.Errorf("pglocal: give %s to user %s: %w", path, a.name, err)
	}
	return nil
}

// checkReachable makes sure the account can traverse every parent of dir:
// a server running as another user than Basis cannot start otherwise. It
// never changes permissions itself.
func (a account) checkReachable(dir string) error {
	if !a.switched {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pglocal: %w", err)
		}
		if !a.canSearch(fi) {
			return fmt.Errorf("pglocal: the server runs as user %s (PostgreSQL refuses root) and cannot reach %s through %s: choose a data_dir %s can reach, or allow it (chmod o+x %s)", a.name, dir, p, a.name, p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

func (a account) canSearch(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case int(st.Uid) == a.uid:
		return perm&0o100 != 0
	case int(st.Gid) == a.gid:
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}
