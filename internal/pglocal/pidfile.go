package pglocal

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// pidFile is what a server's postmaster.pid says about it.
type pidFile struct {
	pid       int
	port      int
	socketDir string
}

// readPidFile parses <dataDir>/postmaster.pid; ok is false when there is none.
func readPidFile(dataDir string) (p pidFile, ok bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return pidFile{}, false
	}
	lines := strings.Split(string(b), "\n")
	line := func(i int) string {
		if i < len(lines) {
			return strings.TrimSpace(lines[i])
		}
		return ""
	}
	p.pid, _ = strconv.Atoi(line(0))
	p.port, _ = strconv.Atoi(line(3))
	p.socketDir = strings.SplitN(line(4), ",", 2)[0]
	return p, true
}

// serverAlive reports whether pid is a running PostgreSQL process. A pid
// taken over by another program after a crash counts as not running.
func serverAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	comm, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	if err != nil {
		return !os.IsNotExist(err) // no /proc: trust kill(2)
	}
	return strings.TrimSpace(string(comm)) == "postgres"
}

// removeStale deletes the lock files a server that is gone left behind, so
// that a pid reused by another program cannot block the next start.
func removeStale(dataDir string, p pidFile) error {
	if err := os.Remove(filepath.Join(dataDir, "postmaster.pid")); err != nil && !os.IsNotExist(err) {
		return err
	}
	if p.socketDir == "" {
		return nil
	}
	lock := socketPath(p.socketDir) + ".lock"
	if b, err := os.ReadFile(lock); err == nil {
		if pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])); pid == p.pid {
			_ = os.Remove(lock)
			_ = os.Remove(socketPath(p.socketDir))
		}
	}
	return nil
}
