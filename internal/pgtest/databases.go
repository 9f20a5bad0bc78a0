package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/schema"
)

// Database names carry the creating process and time, so that databases a
// killed test run leaked can be recognised and dropped by a later run:
// basis_test_<pid>_<unix seconds>_<random> (and basis_tpl_... for templates).
var leakedName = regexp.MustCompile(`^basis_(?:test|tpl)_([0-9]+)_([0-9]+)_[0-9a-f]+$`)

// maxAge is how long a test database may live before any run drops it.
const maxAge = 24 * time.Hour

func dbName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s_%d_%d_%s", prefix, os.Getpid(), time.Now().Unix(), hex.EncodeToString(b))
}

// template returns the process's migrated template database, made once.
func (s *server) template(ctx context.Context) (string, error) {
	s.tplOnce.Do(func() { s.tpl, s.tplErr = s.makeTemplate(ctx) })
	return s.tpl, s.tplErr
}

func (s *server) makeTemplate(ctx context.Context) (string, error) {
	name := dbName("basis_tpl")
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtest: create template on %s: %w", s.where, err)
	}
	db, err := sqlx.Open("postgres", withDB(s.adminURL, name))
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	defer db.Close()
	if _, err := schema.Migrate(ctx, db.DB); err != nil {
		return "", fmt.Errorf("pgtest: migrate template: %w", err)
	}
	return name, nil
}

// createDB copies the template into a new database and returns its name.
func (s *server) createDB(ctx context.Context) (string, error) {
	tpl, err := s.template(ctx)
	if err != nil {
		return "", err
	}
	name := dbName("basis_test")
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tpl); err != nil {
		return "", fmt.Errorf("pgtest: create database on %s: %w", s.where, err)
	}
	return name, nil
}

func (s *server) dropDB(ctx context.Context, name string) error {
	if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("pgtest: drop database %s: %w", name, err)
	}
	return nil
}

// dropLeaked drops test databases older than maxAge or whose creating
// process is gone (test processes run on this machine: loopback only). It
// never forces: a database somebody is connected to stays. Errors are
// ignored; the next run tries again.
func (s *server) dropLeaked(ctx context.Context) {
	var names []string
	const q = `SELECT datname FROM pg_database WHERE datname LIKE 'basis\_t%'`
	if err := s.admin.SelectContext(ctx, &names, q); err != nil {
		return
	}
	for _, name := range names {
		if leaked(name, time.Now()) {
			_, _ = s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
		}
	}
}

func leaked(name string, now time.Time) bool {
	m := leakedName.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	pid, err1 := strconv.Atoi(m[1])
	created, err2 := strconv.ParseInt(m[2], 10, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	return now.Sub(time.Unix(created, 0)) > maxAge || !processExists(pid)
}

func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
