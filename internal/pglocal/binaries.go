package pglocal

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNoBinaries reports that no PostgreSQL server binaries were found.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found on PATH or under /usr/lib/postgresql/*/bin: install PostgreSQL (Debian: apt-get install postgresql) or set database.url / BASIS_DATABASE_URL")

// binDirs lists the directories that may hold initdb, pg_ctl and postgres,
// best first. Tests replace it to simulate a machine without PostgreSQL.
var binDirs = defaultBinDirs

// defaultBinDirs returns the real directories of the initdb programs found
// on PATH (in PATH order), then /usr/lib/postgresql/*/bin, newest first.
func defaultBinDirs() []string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if d == "" {
			continue
		}
		if real, err := filepath.EvalSymlinks(filepath.Join(d, "initdb")); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
	}
	versioned, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	return append(dirs, newestFirst(versioned)...)
}

// newestFirst sorts /usr/lib/postgresql/<version>/bin paths by version,
// highest first.
func newestFirst(dirs []string) []string {
	out := append([]string(nil), dirs...)
	version := func(d string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
		return v
	}
	sort.SliceStable(out, func(i, j int) bool { return version(out[i]) > version(out[j]) })
	return out
}

// binaries is one PostgreSQL installation.
type binaries struct {
	dir string
}

func (b binaries) path(name string) string { return filepath.Join(b.dir, name) }

// complete reports whether dir holds every program pglocal runs.
func complete(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// findBinaries picks the installation to run. When the cluster already
// exists (wantMajor is its PG_VERSION) only that major version will do;
// otherwise the first complete installation wins.
func findBinaries(wantMajor string) (binaries, error) {
	seen := map[string]bool{}
	var found []string
	for _, d := range binDirs() {
		if seen[d] || !complete(d) {
			continue
		}
		seen[d] = true
		found = append(found, d)
		if wantMajor == "" {
			return binaries{dir: d}, nil
		}
		if major, err := majorVersion(d); err == nil && major == wantMajor {
			return binaries{dir: d}, nil
		}
	}
	if len(found) == 0 {
		return binaries{}, ErrNoBinaries
	}
	return binaries{}, fmt.Errorf("pglocal: the cluster was created by PostgreSQL %s but only other versions are installed (%s): install PostgreSQL %s or move the old cluster away", wantMajor, strings.Join(found, ", "), wantMajor)
}

// majorVersion runs "pg_ctl --version" ("pg_ctl (PostgreSQL) 15.20") and
// returns the major version as PG_VERSION spells it ("15").
func majorVersion(dir string) (string, error) {
	out, err := exec.Command(filepath.Join(dir, "pg_ctl"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("pglocal: %s/pg_ctl --version: %w", dir, err)
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		return "", fmt.Errorf("pglocal: %s/pg_ctl --version: empty output", dir)
	}
	v := fields[len(fields)-1]
	parts := strings.Split(v, ".")
	if len(parts) > 1 && len(parts[0]) == 1 {
		return parts[0] + "." + parts[1], nil // 9.6 and older
	}
	return strings.TrimRightFunc(parts[0], func(r rune) bool { return r < '0' || r > '9' }), nil
}
