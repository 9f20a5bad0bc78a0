package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/basis-crm/basis/internal/pglocal"
)

// errNoPostgres is what a test reports when it cannot get a database at all.
var errNoPostgres = errors.New("pgtest: no PostgreSQL for tests: nothing answers on 127.0.0.1:5432 and no PostgreSQL binaries are installed to start a private cluster: install PostgreSQL (Debian: apt-get install postgresql) or set BASIS_TEST_DATABASE_URL")

// startPrivate starts a private cluster in a new temporary directory with the
// code of the embedded default. Main stops it at the end of the test run; a
// watchdog process stops it and removes the directory if the test process
// dies without doing so (killed, timed out, no TestMain).
func startPrivate(ctx context.Context) (*server, error) {
	parent, err := pglocal.MkdirTemp("basis-pgtest-")
	if err != nil {
		return nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := pglocal.StartWith(ctx, filepath.Join(parent, "postgres"), quiet, pglocal.Options{Ephemeral: true})
	if err != nil {
		os.RemoveAll(parent)
		if errors.Is(err, pglocal.ErrNoBinaries) {
			return nil, errNoPostgres
		}
		return nil, fmt.Errorf("pgtest: private cluster: %w", err)
	}
	wd, err := startWatchdog(c.PID(), parent)
	if err != nil {
		_ = c.Stop(ctx)
		os.RemoveAll(parent)
		return nil, err
	}
	s, err := connect(ctx, c.URL("postgres"), "private cluster in "+parent)
	if err != nil {
		_ = c.Stop(ctx)
		os.RemoveAll(parent)
		stopWatchdog(wd)
		return nil, fmt.Errorf("pgtest: private cluster: %w", err)
	}
	s.cluster, s.tmpDir, s.watchdog = c, parent, wd
	return s, nil
}

// watchdogScript waits for the test process ($1) to end, then asks the
// server ($2, if it is still a postgres process) for a fast shutdown, waits
// for it and removes the temporary directory ($3).
const watchdogScript = `
while kill -0 "$1" 2>/dev/null; do sleep 1; done
[ "$(cat /proc/$2/comm 2>/dev/null)" = postgres ] && kill -INT "$2" 2>/dev/null
i=0
while kill -0 "$2" 2>/dev/null && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done
rm -rf "$3"
`

// startWatchdog runs watchdogScript in its own session, detached from the
// test's output so that go test does not wait for it.
func startWatchdog(serverPID int, dir string) (*exec.Cmd, error) {
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "pgtest-watchdog",
		strconv.Itoa(os.Getpid()), strconv.Itoa(serverPID), dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pgtest: start watchdog: %w", err)
	}
	return cmd, nil
}

// stopWatchdog ends the watchdog once the cluster was stopped cleanly, so it
// cannot signal a process that later reuses the server's pid.
func stopWatchdog(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}
